#include "data/IdxFormat.h"

#include <algorithm>
#include <filesystem>

#include "data/ByteStream.h"
#include "data/DatasetError.h"
#include "data/Split.h"
#include "util/DisplayPath.h"

namespace fs = std::filesystem;

namespace ddpm {

namespace {

uint32_t bigEndian32(const uint8_t* p) {
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool isHeldOutName(const std::string& fileName) {
    return fileName.rfind("t10k", 0) == 0 || fileName.find("test") != std::string::npos;
}

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
    for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
        s.replace(pos, from.size(), to);
    return s;
}

// One images file and its labels, as read.
struct IdxPart {
    int64_t count = 0, height = 0, width = 0;
    std::vector<uint8_t> pixels;
    std::vector<int32_t> labels;   // empty when there is no labels file
};

IdxPart readImagesWithLabels(const std::string& imagePath, const LoadOptions& options) {
    const std::string shown = displayPath(imagePath);
    IdxArray images = readIdx(imagePath, options.memoryLimitBytes);
    if (images.dims.size() != 3)
        throw DatasetError(shown, "expected a 3-dimensional IDX array (count, height, width), found " +
                                      std::to_string(images.dims.size()) + " dimensions");
    IdxPart part;
    part.count = images.dims[0];
    part.height = images.dims[1];
    part.width = images.dims[2];
    if (part.count == 0) throw DatasetError(shown, "holds no images (count is 0)");
    if (part.height == 0 || part.width == 0) throw DatasetError(shown, "images have zero size");
    part.pixels = std::move(images.data);

    const std::string labelPath = findIdxLabelFile(imagePath);
    if (labelPath.empty()) return part;
    IdxArray labels = readIdx(labelPath, options.memoryLimitBytes);
    const std::string shownLabels = displayPath(labelPath);
    if (labels.dims.size() != 1)
        throw DatasetError(shownLabels, "expected a 1-dimensional IDX array of labels, found " +
                                            std::to_string(labels.dims.size()) + " dimensions");
    if (labels.dims[0] != part.count)
        throw DatasetError(shownLabels, "holds " + std::to_string(labels.dims[0]) + " labels but " + shown +
                                            " holds " + std::to_string(part.count) + " images");
    part.labels.assign(labels.data.begin(), labels.data.end());
    return part;
}

std::vector<std::string> numberedClassNames(const std::vector<int32_t>& labels) {
    int32_t maxLabel = labels.empty() ? -1 : *std::max_element(labels.begin(), labels.end());
    std::vector<std::string> names;
    for (int32_t i = 0; i <= maxLabel; ++i) names.push_back(std::to_string(i));
    return names;
}

// Joins parts (train parts first), checking that they agree.
Dataset joinParts(std::vector<std::pair<std::string, IdxPart>>& parts, int64_t heldOutParts,
                  const std::string& name, const std::string& source) {
    Dataset d;
    d.name = name;
    d.source = source;
    d.format = "idx";
    d.channels = 1;
    d.height = int(parts.front().second.height);
    d.width = int(parts.front().second.width);
    const bool labelled = std::all_of(parts.begin(), parts.end(), [](auto& p) { return !p.second.labels.empty(); });
    int64_t trainCount = 0;
    for (size_t i = 0; i < parts.size(); ++i) {
        IdxPart& p = parts[i].second;
        if (p.height != d.height || p.width != d.width)
            throw DatasetError(displayPath(parts[i].first),
                               "images are " + std::to_string(p.width) + "x" + std::to_string(p.height) + " but " +
                                   displayPath(parts.front().first) + " has " + std::to_string(d.width) + "x" +
                                   std::to_string(d.height));
        d.pixels.insert(d.pixels.end(), p.pixels.begin(), p.pixels.end());
        if (labelled) d.labels.insert(d.labels.end(), p.labels.begin(), p.labels.end());
        d.count += p.count;
        if (int64_t(i) < int64_t(parts.size()) - heldOutParts) trainCount += p.count;
        p.pixels = {};
    }
    d.trainCount = heldOutParts > 0 ? trainCount : defaultTrainCount(d.count);
    if (labelled) d.classNames = numberedClassNames(d.labels);
    return d;
}

}  // namespace

IdxArray readIdx(const std::string& path, uint64_t memoryLimitBytes) {
    ByteStream in(path);
    const std::string& shown = in.path();
    uint8_t header[4];
    in.readExact(header, 4, "the IDX header");
    if (header[0] != 0 || header[1] != 0)
        throw DatasetError(shown, "not an IDX file (wrong magic number)");
    if (header[2] != 0x08)
        throw DatasetError(shown, "unsupported IDX element type " + std::to_string(header[2]) +
                                      " (only unsigned bytes, type 8, are supported)");
    const int ndims = header[3];
    if (ndims < 1 || ndims > 4) throw DatasetError(shown, "IDX header gives " + std::to_string(ndims) + " dimensions");
    IdxArray array;
    uint64_t total = 1;
    bool anyZero = false, tooLarge = false;
    for (int i = 0; i < ndims; ++i) {
        uint8_t b[4];
        in.readExact(b, 4, "the IDX dimensions");
        const uint64_t dim = bigEndian32(b);
        array.dims.push_back(int64_t(dim));
        if (dim == 0) anyZero = true;
        else if (total > memoryLimitBytes / dim) tooLarge = true;   // checked before multiplying: no overflow
        else total *= dim;
    }
    if (anyZero) total = 0;
    else if (tooLarge || total > memoryLimitBytes)
        throw DatasetError(shown, "IDX dimensions need more than the memory limit of " +
                                      std::to_string(memoryLimitBytes >> 20) + " MiB");
    const uint64_t headerBytes = 4 + 4 * uint64_t(ndims);
    if (!in.compressed() && in.fileSize() != headerBytes + total)
        throw DatasetError(shown, "IDX dimensions say " + std::to_string(headerBytes + total) +
                                      " bytes but the file holds " + std::to_string(in.fileSize()));
    array.data = in.readVector(total, "the IDX data");
    if (!in.atEnd()) throw DatasetError(shown, "holds more data than its IDX dimensions say");
    return array;
}

bool isIdxImageFileName(const std::string& fileName) {
    return endsWith(fileName, "idx3-ubyte") || endsWith(fileName, "idx3-ubyte.gz");
}

std::string findIdxLabelFile(const std::string& imagePath) {
    const fs::path p(imagePath);
    std::string name = p.filename().string();
    if (endsWith(name, ".gz")) name.resize(name.size() - 3);
    const std::string imagesName = name;
    name = replaceAll(replaceAll(name, "idx3", "idx1"), "images", "labels");
    if (name == imagesName) return "";   // the name does not say where labels would be
    for (const std::string& candidate : {name, name + ".gz"}) {
        const fs::path labels = p.parent_path() / candidate;
        std::error_code ec;
        if (fs::is_regular_file(labels, ec)) return labels.string();
    }
    return "";
}

Dataset loadIdxFile(const std::string& path, const LoadOptions& options) {
    std::vector<std::pair<std::string, IdxPart>> parts;
    parts.emplace_back(path, readImagesWithLabels(path, options));
    return joinParts(parts, 0, fs::path(path).filename().string(), path);
}

Dataset loadIdxFolder(const std::string& folder, const LoadOptions& options) {
    std::vector<std::string> trainFiles, heldOutFiles;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
        const std::string name = entry.path().filename().string();
        if (!isIdxImageFileName(name)) continue;
        (isHeldOutName(name) ? heldOutFiles : trainFiles).push_back(entry.path().string());
    }
    if (ec) throw DatasetError(displayPath(folder), "cannot list folder: " + ec.message());
    if (trainFiles.empty() && heldOutFiles.empty())
        throw DatasetError(displayPath(folder), "no IDX image files (*-idx3-ubyte[.gz]) in the folder");
    std::sort(trainFiles.begin(), trainFiles.end());
    std::sort(heldOutFiles.begin(), heldOutFiles.end());
    // A folder of test files alone: treat them as the data, with the default split.
    if (trainFiles.empty()) std::swap(trainFiles, heldOutFiles);

    std::vector<std::pair<std::string, IdxPart>> parts;
    for (const auto& f : trainFiles) parts.emplace_back(f, readImagesWithLabels(f, options));
    for (const auto& f : heldOutFiles) parts.emplace_back(f, readImagesWithLabels(f, options));
    return joinParts(parts, int64_t(heldOutFiles.size()), fs::path(folder).filename().string(), folder);
}

}  // namespace ddpm
