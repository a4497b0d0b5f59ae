#include "common/ArgumentPath.h"

#include <unistd.h>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ddpm::ui {

QString argumentPath(const QByteArray& raw) {
    const QString decoded = QFile::decodeName(raw);
    if (QFile::encodeName(decoded) == raw) return decoded;

    QByteArray absolute = raw;
    if (!raw.startsWith('/')) {
        char cwd[4096];
        if (!::getcwd(cwd, sizeof cwd)) throw std::runtime_error("cannot read the current folder");
        absolute = QByteArray(cwd) + '/' + raw;
    }
    QByteArray name = absolute;
    while (name.endsWith('/') && name.size() > 1) name.chop(1);
    name = name.mid(name.lastIndexOf('/') + 1);
    QString readable;
    for (const QChar c : QString::fromUtf8(name)) readable += c == QChar::ReplacementCharacter ? QChar('?') : c;

    // One folder per target, so two such arguments with the same readable name stay apart.
    const QString base = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    const QString hash = QString::fromLatin1(QCryptographicHash::hash(absolute, QCryptographicHash::Sha1).toHex().left(12));
    const QString folder = QDir(base.isEmpty() ? QDir::tempPath() : base).filePath("ddpm-studio-paths/" + hash);
    if (!QDir().mkpath(folder)) throw std::runtime_error("cannot create " + folder.toStdString());
    const QString link = QDir(folder).filePath(readable);
    const QByteArray linkBytes = QFile::encodeName(link);
    ::unlink(linkBytes.constData());   // an older link from another launch
    if (::symlink(absolute.constData(), linkBytes.constData()) != 0)
        throw std::runtime_error("cannot link " + link.toStdString() + ": " + std::strerror(errno));
    return link;
}

}  // namespace ddpm::ui
