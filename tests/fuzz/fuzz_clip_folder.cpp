// A CLIP folder as `--text clip:DIR` reads it: the input's first byte picks the
// file its rest replaces in an otherwise valid small folder (config.json,
// vocab.json, merges.txt, model.safetensors, special_tokens_map.json); then the
// folder is loaded and a prompt encoded.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "FuzzInput.h"
#include "conditioning/ClipTextEncoder.h"
#include "support/TinyClipFolder.h"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const char* const kFiles[] = {"config.json", "vocab.json", "merges.txt", "model.safetensors", "special_tokens_map.json"};
    static const std::string folder = ddpm::test::writeTinyClipFolder(ddpm::fuzz::emptyFolder("clip"));
    static const std::map<std::string, std::string> pristine = [] {
        std::map<std::string, std::string> files;
        for (const char* name : kFiles) {
            std::ostringstream text;
            text << std::ifstream(fs::path(folder) / name, std::ios::binary).rdbuf();
            files[name] = text.str();
        }
        return files;
    }();
    if (size == 0) return 0;
    const std::string name = kFiles[data[0] % 5];
    ddpm::fuzz::writeInput(data + 1, size - 1, "clip/" + name);
    try {
        ddpm::ClipTextEncoder::load(folder)->encode({"a red apple", "caf\xc3\xa9 \xe6\x9d\xb1"}, 24);
    } catch (const std::runtime_error&) {
    } catch (const std::invalid_argument&) {
    }
    std::ofstream(fs::path(folder) / name, std::ios::binary) << pristine.at(name);
    return 0;
}
