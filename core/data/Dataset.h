#pragma once
// A dataset held in memory: N images (uint8, NCHW) or N 2-D points, with
// optional labels and captions, where it came from, and its train / held-out split.
// Plain data, no torch: loaders and the GUI's thumbnail model use it directly.
#include <cstdint>
#include <string>
#include <vector>

namespace ddpm {

struct SkippedFile {
    std::string path;    // display form (non-UTF-8 bytes escaped)
    std::string reason;
};

enum class DatasetKind { Images, Points };

struct Dataset {
    std::string name;     // "mnist", "toy:moons", or the folder/file name
    std::string source;   // where it was read from (path or generator description)
    std::string format;   // "idx", "cifar-10", "cifar-100", "npy", "image-folder", "toy"
    DatasetKind kind = DatasetKind::Images;

    int64_t count = 0;
    int channels = 0, height = 0, width = 0;   // images only
    std::vector<uint8_t> pixels;                // count*channels*height*width, NCHW
    std::vector<float> points;                  // count*2 (x,y), points only

    std::vector<int32_t> labels;                // empty, or one per item in [0, classNames.size())
    std::vector<std::string> classNames;
    std::vector<std::string> captions;          // empty, or one UTF-8 text per item (emoji: their names)

    int64_t trainCount = 0;                     // items [0, trainCount) train, the rest are held out
    std::vector<SkippedFile> skipped;           // files a folder load passed over, with reasons

    bool isPoints() const { return kind == DatasetKind::Points; }
    bool hasLabels() const { return !labels.empty(); }
    int numClasses() const { return static_cast<int>(classNames.size()); }
    int64_t heldOutCount() const { return count - trainCount; }
    int64_t imageBytes() const { return int64_t(channels) * height * width; }
    const uint8_t* image(int64_t i) const { return pixels.data() + i * imageBytes(); }
    std::vector<int64_t> classCounts() const;   // one count per class name
    // Short identity that a checkpoint records: name, format, geometry.
    std::string identity() const;
};

}  // namespace ddpm
