#pragma once
// What the code and pickle records of a LibTorch archive may hold for DDPM Studio to load it.
// LibTorch compiles an archive's code records (TorchScript) when it loads one, and runs a
// class's __setstate__ while restoring its objects; the pickles may also name TorchScript custom
// classes, whose compiled-in __setstate__ then runs on the file's data. The archives DDPM Studio
// writes hold modules of attributes only: classes that declare their parameters, buffers and
// attribute types, with no function. Anything else is refused before LibTorch reads the file,
// so loading a checkpoint from someone else runs no code from it.
#include <string>

namespace ddpm {

// The records LibTorch compiles ("…/code/….py") or unpickles ("….pkl", "….debug_pkl").
bool isArchiveCodeRecord(const std::string& recordName);

// Throws std::runtime_error naming the record (and, for code, the line) when it holds more than
// declarations: a function, a decorator, an expression, or (a pickle) a custom class.
void requireDeclarationsOnly(const std::string& recordName, const std::string& bytes);

}  // namespace ddpm
