#include "training/RunFolder.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace ddpm {

namespace fs = std::filesystem;

namespace {
constexpr char kSnapshotFolder[] = "checkpoints";

std::string numbered(const char* prefix, int64_t step, const char* extension) {
    char name[64];
    std::snprintf(name, sizeof name, "%s%06lld%s", prefix, (long long)step, extension);
    return name;
}
}  // namespace

std::string RunFolder::checkpoint() const { return (fs::path(root_) / "model.ckpt").string(); }

std::string RunFolder::snapshot(int64_t step) const {
    return (fs::path(root_) / kSnapshotFolder / numbered("step-", step, ".ckpt")).string();
}

namespace {
const char* samplesExtension(const SampleSpace& space) { return space.isPoints() ? ".csv" : ".png"; }
}  // namespace

std::string RunFolder::samples(int64_t step, const SampleSpace& space) const {
    return (fs::path(root_) / numbered("samples-", step, samplesExtension(space))).string();
}

std::string RunFolder::finalSamples(const SampleSpace& space) const {
    return (fs::path(root_) / (std::string("samples") + samplesExtension(space))).string();
}

std::string RunFolder::reconstructions(int64_t step, bool end) const {
    return (fs::path(root_) / (end ? std::string("reconstructions.png") : numbered("reconstructions-", step, ".png")))
        .string();
}

std::string RunFolder::metrics() const { return (fs::path(root_) / "metrics.csv").string(); }

std::vector<std::string> RunFolder::checkpointFiles() const {
    std::vector<std::string> files;
    std::error_code ec;
    // Incremented with an error code: a read error mid-listing (a network share) ends the list, never throws.
    for (fs::directory_iterator it(fs::path(root_) / kSnapshotFolder, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        std::error_code typeError;
        if (it->is_regular_file(typeError) && name.rfind("step-", 0) == 0 && it->path().extension() == ".ckpt")
            files.push_back(it->path().string());
    }
    // Zero-padded steps sort by name up to a million steps; readers order by the stored step anyway.
    std::sort(files.begin(), files.end());
    if (fs::is_regular_file(checkpoint(), ec)) files.push_back(checkpoint());
    return files;
}

}  // namespace ddpm
