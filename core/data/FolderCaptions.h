#pragma once
// The captions of an image folder, in the two conventions people use:
//   metadata.jsonl or metadata.csv at the folder's top, with the columns file_name
//     (the image's path relative to the folder) and text: the Hugging Face
//     image-folder layout;
//   NAME.txt or NAME.caption beside NAME.png: the convention of LoRA trainers.
// A file named by both gets the metadata's caption. Captions are UTF-8, trimmed of
// surrounding white space; a bad row or file is passed over and reported with its
// reason, as bad images are.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "data/Dataset.h"

namespace ddpm {

inline constexpr size_t kMaxCaptionBytes = 64 * 1024;

struct FolderCaptions {
    std::map<std::filesystem::path, std::string> byImage;   // the image's path as the walk found it
    std::vector<SkippedFile> problems;
};

// `images`: the folder's image files (paths below `folder`).
FolderCaptions readFolderCaptions(const std::filesystem::path& folder, const std::vector<std::filesystem::path>& images);

// The fields of CSV text (RFC 4180: quoted fields, "" inside quotes, line breaks inside
// quotes; CRLF or LF), one vector per record; throws std::runtime_error("line N: …") on a
// quote that never closes or text after a closing quote.
std::vector<std::vector<std::string>> parseCsv(const std::string& text);

}  // namespace ddpm
