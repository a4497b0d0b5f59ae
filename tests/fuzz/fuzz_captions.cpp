// An image folder's captions: the input's first byte chooses where its rest goes
// (metadata.jsonl, metadata.csv, or a sidecar NAME.txt) beside two images named
// a.png and sub/b.png, which the rows may name.
#include <filesystem>
#include <vector>

#include "FuzzInput.h"
#include "data/FolderCaptions.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string folder = ddpm::fuzz::emptyFolder("captioned");
    static const std::vector<std::filesystem::path> images = {std::filesystem::path(folder) / "a.png",
                                                              std::filesystem::path(folder) / "sub" / "b.png"};
    if (size == 0) return 0;
    static const char* const kPlaces[] = {"captioned/metadata.jsonl", "captioned/metadata.csv", "captioned/a.txt"};
    const std::string place = kPlaces[data[0] % 3];
    for (const char* other : kPlaces)
        if (place != other) std::filesystem::remove(std::filesystem::path(folder).parent_path() / other);
    ddpm::fuzz::writeInput(data + 1, size - 1, place);
    ddpm::readFolderCaptions(folder, images);   // reports problems; throws nothing
    return 0;
}
