#include "data/DatasetLoader.h"

#include <filesystem>

#include "data/ByteStream.h"
#include "data/CifarFormat.h"
#include "data/DatasetError.h"
#include "data/EmojiSet.h"
#include "data/GeneratedCaptions.h"
#include "data/IdxFormat.h"
#include "data/NpyFormat.h"
#include "data/ImageFolderFormat.h"
#include "data/ToyDatasets.h"
#include "util/DisplayPath.h"
#include "util/ResourcePaths.h"

namespace fs = std::filesystem;

namespace ddpm {

namespace {

const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

const std::vector<std::string> kFashionClasses = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                  "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

Dataset loadBuiltinMnist(const LoadOptions& options) {
    const fs::path images = findResource("data/mnist/images-idx3-ubyte.gz");
    Dataset d = loadIdxFile(images.string(), options);
    d.name = "mnist";
    d.trainCount = d.count - 1000;   // the shipped file's last 1,000 are the held-out split
    d.captions = generatedCaptions(d, CaptionScheme::Digits);
    return d;
}

Dataset loadFashionMnist(const LoadOptions& options) {
    std::error_code ec;
    if (!fs::is_directory(kFashionMnistDir, ec))
        throw DatasetError(kFashionMnistDir, "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
    Dataset d = loadIdxFolder(kFashionMnistDir, options);
    d.name = "fashion-mnist";
    if (d.numClasses() == 10) {
        d.classNames = kFashionClasses;
        d.captions = generatedCaptions(d, CaptionScheme::Clothes);
    }
    return d;
}

// Content sniffing for a single file whose name says nothing.
bool looksLikeIdx(const std::string& path) {
    try {
        ByteStream in(path);
        uint8_t header[4];
        in.readExact(header, 4, "header");
        return header[0] == 0 && header[1] == 0 && header[2] == 0x08 && header[3] >= 1 && header[3] <= 4;
    } catch (const DatasetError&) {
        return false;
    }
}

Dataset loadFile(const std::string& path, const LoadOptions& options) {
    const std::string name = fs::path(path).filename().string();
    if (isIdxImageFileName(name)) return loadIdxFile(path, options);
    if (isCifarFileName(name)) return loadCifar(path, options);
    if (isNpyFileName(name)) return loadNpy(path, options);
    // Opening the file first gives the precise error for empty or unreadable files.
    { ByteStream probe(path); }
    if (isImageFileName(name))
        throw DatasetError(displayPath(path), "a single image is not a dataset: give the folder that holds it");
    if (looksLikeIdx(path)) return loadIdxFile(path, options);
    throw DatasetError(displayPath(path),
                       "unrecognised format (expected IDX *-idx3-ubyte[.gz], CIFAR *.bin, NumPy *.npy, or a folder of images)");
}

Dataset loadFolder(const std::string& folder, const LoadOptions& options) {
    if (isCifarFolder(folder)) return loadCifar(folder, options);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder, ec))
        if (isIdxImageFileName(entry.path().filename().string())) return loadIdxFolder(folder, options);
    if (ec) throw DatasetError(displayPath(folder), "cannot open folder: " + ec.message());
    return loadImageFolder(folder, options);
}

}  // namespace

std::vector<BuiltinDataset> builtinDatasets() {
    std::error_code ec;
    std::vector<BuiltinDataset> list = {
        {"mnist", "10,000 MNIST digits, 28x28 grey, 10 classes (shipped)", true},
        {"fashion-mnist", "70,000 Fashion-MNIST images, 28x28 grey, 10 classes",
         fs::is_directory(kFashionMnistDir, ec)},
        {"emoji", "3,600+ Noto Color Emoji, 64x64 (or 32) RGB, 9 groups (or emoji:subgroups), names as captions",
         emojiSetAvailable()},
    };
    for (const auto& toy : toyDatasetNames())
        list.push_back({"toy:" + toy, "2-D point cloud, 10,000 points", true});
    return list;
}

Dataset loadDataset(const std::string& pathOrName, const LoadOptions& options) {
    if (pathOrName == "mnist") return loadBuiltinMnist(options);
    if (pathOrName == "fashion-mnist") return loadFashionMnist(options);
    if (isEmojiSetName(pathOrName)) return loadEmojiSet(pathOrName, options);
    if (pathOrName.rfind("toy:", 0) == 0) return makeToyDataset(pathOrName.substr(4));

    std::error_code ec;
    const fs::file_status status = fs::status(pathOrName, ec);
    if (ec || !fs::exists(status)) {
        if (fs::is_symlink(fs::symlink_status(pathOrName, ec)))
            throw DatasetError(displayPath(pathOrName), "broken symbolic link (or a symlink loop)");
        std::string names;
        for (const auto& b : builtinDatasets()) names += (names.empty() ? "" : ", ") + b.name;
        throw DatasetError(displayPath(pathOrName), "no such file or folder (built-in datasets: " + names + ")");
    }
    if (fs::is_directory(status)) return loadFolder(pathOrName, options);
    // Opening a pipe or a device would wait for a writer that may never come.
    if (!fs::is_regular_file(status)) throw DatasetError(displayPath(pathOrName), "not a regular file (a pipe, socket or device)");
    return loadFile(pathOrName, options);
}

}  // namespace ddpm
