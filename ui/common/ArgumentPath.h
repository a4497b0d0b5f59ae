#pragma once
// A path given on the command line as raw bytes, made usable by Qt. Linux file
// names are bytes; Qt decodes them as UTF-8 and turns bytes that are not UTF-8
// into U+FFFD, after which the name no longer leads to the file ("café" written
// in Latin-1, an old archive's folders).
#include <QByteArray>
#include <QString>

namespace ddpm::ui {

// The path itself when it survives decoding. Otherwise a symbolic link to it, named
// like it with '?' for the undecodable bytes, in the user's runtime folder: the app
// reads the folder or file through the link and shows the readable part of its name.
// Throws std::runtime_error when no link can be made.
QString argumentPath(const QByteArray& raw);

}  // namespace ddpm::ui
