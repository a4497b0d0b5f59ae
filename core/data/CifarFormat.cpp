#include "data/CifarFormat.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "data/ByteStream.h"
#include "data/DatasetError.h"
#include "data/Split.h"
#include "util/DisplayPath.h"

namespace fs = std::filesystem;

namespace ddpm {

namespace {

constexpr int64_t kPixelsPerImage = 32 * 32 * 3;

bool isFile(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

std::vector<std::string> readClassNames(const fs::path& file) {
    std::vector<std::string> names;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (!line.empty()) names.push_back(line);
    }
    return names;
}

// Appends the records of one file to d.
void readRecords(const fs::path& file, int labelBytes, int numClasses, const LoadOptions& options, Dataset& d) {
    const std::string shown = displayPath(file);
    ByteStream in(file.string());
    const int64_t recordBytes = labelBytes + kPixelsPerImage;
    if (in.compressed()) throw DatasetError(shown, "compressed CIFAR files are not supported; extract them first");
    if (int64_t(in.fileSize()) % recordBytes != 0)
        throw DatasetError(shown, "size " + std::to_string(in.fileSize()) + " is not a whole number of " +
                                      std::to_string(recordBytes) + "-byte CIFAR records (truncated or not CIFAR)");
    const int64_t records = int64_t(in.fileSize()) / recordBytes;
    if (uint64_t(d.pixels.size() + records * kPixelsPerImage) > options.memoryLimitBytes)
        throw DatasetError(shown, "needs more than the memory limit of " +
                                      std::to_string(options.memoryLimitBytes >> 20) + " MiB");
    std::vector<uint8_t> record(static_cast<size_t>(recordBytes));
    d.pixels.reserve(d.pixels.size() + size_t(records * kPixelsPerImage));
    for (int64_t r = 0; r < records; ++r) {
        in.readExact(record.data(), record.size(), "a CIFAR record");
        const int label = record[size_t(labelBytes - 1)];   // CIFAR-100: the fine label
        if (label >= numClasses)
            throw DatasetError(shown, "record " + std::to_string(r) + " has label " + std::to_string(label) +
                                          ", beyond the " + std::to_string(numClasses) + " classes");
        d.labels.push_back(label);
        d.pixels.insert(d.pixels.end(), record.begin() + labelBytes, record.end());
    }
    d.count += records;
}

}  // namespace

bool isCifarFileName(const std::string& name) {
    return name == "test_batch.bin" || name == "train.bin" || name == "test.bin" ||
           (name.rfind("data_batch_", 0) == 0 && name.size() > 4 && name.compare(name.size() - 4, 4, ".bin") == 0);
}

bool isCifarFolder(const std::string& folder) {
    const fs::path f(folder);
    return isFile(f / "data_batch_1.bin") || isFile(f / "test_batch.bin") || isFile(f / "train.bin") ||
           isFile(f / "test.bin");
}

Dataset loadCifar(const std::string& pathOrFolder, const LoadOptions& options) {
    std::error_code ec;
    const bool single = fs::is_regular_file(pathOrFolder, ec);
    const fs::path folder = single ? fs::path(pathOrFolder).parent_path() : fs::path(pathOrFolder);
    const bool cifar100 = single ? (fs::path(pathOrFolder).filename() == "train.bin" ||
                                    fs::path(pathOrFolder).filename() == "test.bin")
                                 : (isFile(folder / "train.bin") || isFile(folder / "test.bin"));
    Dataset d;
    d.name = (single ? fs::path(pathOrFolder) : folder).filename().string();
    d.source = pathOrFolder;
    d.format = cifar100 ? "cifar-100" : "cifar-10";
    d.channels = 3;
    d.height = d.width = 32;
    const int numClasses = cifar100 ? 100 : 10;
    const int labelBytes = cifar100 ? 2 : 1;

    std::vector<fs::path> trainFiles, heldOutFiles;
    if (single) {
        trainFiles.push_back(pathOrFolder);
    } else if (cifar100) {
        if (isFile(folder / "train.bin")) trainFiles.push_back(folder / "train.bin");
        if (isFile(folder / "test.bin")) heldOutFiles.push_back(folder / "test.bin");
    } else {
        for (int i = 1; i <= 5; ++i)
            if (isFile(folder / ("data_batch_" + std::to_string(i) + ".bin")))
                trainFiles.push_back(folder / ("data_batch_" + std::to_string(i) + ".bin"));
        if (isFile(folder / "test_batch.bin")) heldOutFiles.push_back(folder / "test_batch.bin");
    }
    if (trainFiles.empty()) std::swap(trainFiles, heldOutFiles);
    for (const auto& f : trainFiles) readRecords(f, labelBytes, numClasses, options, d);
    d.trainCount = d.count;
    for (const auto& f : heldOutFiles) readRecords(f, labelBytes, numClasses, options, d);
    if (heldOutFiles.empty()) d.trainCount = defaultTrainCount(d.count);
    if (d.count == 0) throw DatasetError(displayPath(pathOrFolder), "holds no CIFAR records");

    const fs::path namesFile = folder / (cifar100 ? "fine_label_names.txt" : "batches.meta.txt");
    d.classNames = readClassNames(namesFile);
    if (int(d.classNames.size()) != numClasses) {
        d.classNames.clear();
        for (int i = 0; i < numClasses; ++i) d.classNames.push_back(std::to_string(i));
    }
    return d;
}

}  // namespace ddpm
