#include "data/ImageFolderFormat.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "data/DatasetError.h"
#include "data/FolderCaptions.h"
#include "data/Split.h"
#include "image/DecodeLimit.h"
#include "util/DisplayPath.h"

namespace fs = std::filesystem;

namespace ddpm {

namespace {

struct ImageFile {
    fs::path path;
    std::string className;   // first-level sub-folder, "" at the top
};

struct FolderWalk {
    std::vector<ImageFile> images;
    std::vector<SkippedFile> skipped;
    bool sawAnyEntry = false;
};

std::string lowerExtension(const fs::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return ext;
}

// Recursive walk that follows symlinked folders but never enters a folder that
// is already on the current path (a symlink loop).
void walk(const fs::path& dir, const std::string& className, int depth, std::vector<fs::path>& stack,
          FolderWalk& out) {
    std::error_code ec;
    fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
        out.skipped.push_back({displayPath(dir), "cannot open folder: " + ec.message()});
        return;
    }
    std::vector<fs::directory_entry> entries;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) break;
        entries.push_back(*it);
    }
    std::sort(entries.begin(), entries.end(), [](auto& a, auto& b) { return a.path() < b.path(); });
    for (const auto& entry : entries) {
        out.sawAnyEntry = true;
        const fs::path& p = entry.path();
        if (p.filename().string().rfind('.', 0) == 0) continue;   // hidden files
        std::error_code sec;
        if (entry.is_directory(sec)) {
            const fs::path canonical = fs::canonical(p, sec);
            if (sec) {
                out.skipped.push_back({displayPath(p), "cannot resolve folder: " + sec.message()});
                continue;
            }
            if (std::find(stack.begin(), stack.end(), canonical) != stack.end()) {
                out.skipped.push_back({displayPath(p), "symlink loop (points back to " + displayPath(canonical) + ")"});
                continue;
            }
            stack.push_back(canonical);
            walk(p, depth == 0 ? p.filename().string() : className, depth + 1, stack, out);
            stack.pop_back();
        } else if (isImageFileName(p.filename().string())) {
            if (sec || !entry.exists(sec)) {
                out.skipped.push_back({displayPath(p), "broken link or unreadable entry"});
                continue;
            }
            if (!entry.is_regular_file(sec)) {   // a pipe would block the reader until someone writes
                out.skipped.push_back({displayPath(p), "not a regular file (a pipe, socket or device)"});
                continue;
            }
            out.images.push_back({p, className});
        }
    }
}

// Decodes one file into an 8-bit, 1- or 3-channel (RGB) R x R image, or
// returns the reason it cannot.
// One decoded image at most: 170 megapixels of 8-bit RGB, more than any camera's photo.
constexpr uint64_t kMaxDecodedImageBytes = 512ull << 20;

std::string decodeImage(const fs::path& path, int resolution, uint64_t memoryLimit, cv::Mat& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return "cannot open file";
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size <= 0) return "file is empty (0 bytes)";
    if (uint64_t(size) > memoryLimit) return "file is larger than the memory limit";
    in.seekg(0);
    std::vector<uchar> bytes(static_cast<size_t>(size));
    if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) return "read error";

    if (!hasImageSignature(bytes.data(), bytes.size()))
        return "not a PNG, JPEG, BMP, WebP or TIFF file (its first bytes are no such signature)";
    cv::Mat img;
    try {
        const DecodeLimit limit(std::min<uint64_t>(memoryLimit, kMaxDecodedImageBytes));
        img = cv::imdecode(bytes, cv::IMREAD_UNCHANGED | cv::IMREAD_ANYDEPTH);
    } catch (const cv::Exception& e) {
        return "cannot decode image: " + std::string(e.err);
    }
    if (img.empty()) return "not a readable image (corrupt or unsupported format)";
    if (img.dims != 2 || img.cols < 1 || img.rows < 1) return "image has no pixels";

    // 16-bit and float images to 8 bits.
    if (img.depth() == CV_16U) img.convertTo(img, CV_8U, 1.0 / 257.0);
    else if (img.depth() == CV_32F || img.depth() == CV_64F) img.convertTo(img, CV_8U, 255.0);
    else if (img.depth() != CV_8U) img.convertTo(img, CV_8U);
    // Alpha is dropped; colour goes to RGB order.
    switch (img.channels()) {
        case 1: break;
        case 2: cv::extractChannel(img, img, 0); break;
        case 3: cv::cvtColor(img, img, cv::COLOR_BGR2RGB); break;
        case 4: cv::cvtColor(img, img, cv::COLOR_BGRA2RGB); break;
        default: return "unsupported channel count " + std::to_string(img.channels());
    }
    // The centred square, then to the resolution: cropping first keeps a 1 × 40,000 picture from
    // being scaled up to 28 × 1,100,000 before the crop.
    const int side = std::min(img.cols, img.rows);
    const cv::Mat square = img(cv::Rect((img.cols - side) / 2, (img.rows - side) / 2, side, side));
    cv::resize(square, out, cv::Size(resolution, resolution), 0, 0, side > resolution ? cv::INTER_AREA : cv::INTER_CUBIC);
    return "";
}

}  // namespace

bool isImageFileName(const std::string& fileName) {
    static const std::set<std::string> extensions = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"};
    return extensions.count(lowerExtension(fs::path(fileName))) > 0;
}

Dataset loadImageFolder(const std::string& folder, const LoadOptions& options) {
    const std::string shown = displayPath(folder);
    const int R = options.resolution;
    if (R != 28 && R != 32 && R != 64)
        throw DatasetError(shown, "resolution must be 28, 32 or 64, not " + std::to_string(R));

    FolderWalk found;
    std::error_code ec;
    std::vector<fs::path> stack = {fs::canonical(folder, ec)};
    walk(folder, "", 0, stack, found);
    if (!found.sawAnyEntry && found.skipped.empty()) throw DatasetError(shown, "folder is empty");
    if (found.images.empty())
        throw DatasetError(shown, "no images found (looked for .png .jpg .jpeg .bmp .webp .tif .tiff)" +
                                      (found.skipped.empty() ? std::string()
                                                             : "; first problem: " + found.skipped.front().path +
                                                                   ": " + found.skipped.front().reason));

    // Decode in parallel; this thread reports progress and handles cancel.
    const int64_t total = int64_t(found.images.size());
    std::vector<cv::Mat> decoded(static_cast<size_t>(total));
    std::vector<std::string> failures(static_cast<size_t>(total));
    std::atomic<int64_t> next{0}, done{0};
    std::atomic<bool> cancel{false};
    int threads = options.threads > 0 ? options.threads : int(std::max(1u, std::thread::hardware_concurrency()));
    threads = int(std::min<int64_t>(threads, total));
    auto decodeAll = [&](bool reportProgress) {
        for (int64_t i; !cancel && (i = next++) < total; ++done) {
            failures[size_t(i)] = decodeImage(found.images[size_t(i)].path, R, options.memoryLimitBytes,
                                              decoded[size_t(i)]);
            if (reportProgress && options.progress && !options.progress(done + 1, total)) cancel = true;
        }
    };
    if (threads <= 1) {
        decodeAll(true);   // one image or one thread: no thread to start
    } else {
        std::mutex finishedMutex;
        std::condition_variable finishedChanged;
        int finished = 0;
        std::vector<std::thread> workers;
        for (int k = 0; k < threads; ++k)
            workers.emplace_back([&] {
                decodeAll(false);
                std::lock_guard<std::mutex> lock(finishedMutex);
                ++finished;
                finishedChanged.notify_one();
            });
        // Progress every 20 ms, and not a moment longer than the decoding takes.
        for (std::unique_lock<std::mutex> lock(finishedMutex); finished < threads && !cancel;) {
            lock.unlock();
            if (options.progress && !options.progress(done, total)) cancel = true;
            lock.lock();
            finishedChanged.wait_for(lock, std::chrono::milliseconds(20), [&] { return finished == threads; });
        }
        for (auto& w : workers) w.join();
    }
    if (cancel) throw Cancelled();
    if (options.progress) options.progress(total, total);

    // Keep the good ones; classes only when every image sits in a class folder.
    std::vector<size_t> good;
    for (size_t i = 0; i < size_t(total); ++i) {
        if (failures[i].empty()) good.push_back(i);
        else found.skipped.push_back({displayPath(found.images[i].path), failures[i]});
    }
    if (good.empty())
        throw DatasetError(shown, "none of the " + std::to_string(total) + " image files could be read; first: " +
                                      found.skipped.back().path + ": " + found.skipped.back().reason);

    Dataset d;
    d.name = fs::path(folder).filename().string();
    if (d.name.empty()) d.name = fs::path(folder).parent_path().filename().string();
    d.name = escapeNonUtf8(d.name);
    d.source = folder;
    d.format = "image-folder";
    d.height = d.width = R;
    d.channels = std::all_of(good.begin(), good.end(), [&](size_t i) { return decoded[i].channels() == 1; }) ? 1 : 3;
    const bool labelled =
        std::all_of(good.begin(), good.end(), [&](size_t i) { return !found.images[i].className.empty(); });
    std::map<std::string, int32_t> classIndex;
    if (labelled) {
        for (size_t i : good) classIndex[found.images[i].className] = 0;
        for (auto& [name, index] : classIndex) {
            index = int32_t(d.classNames.size());
            d.classNames.push_back(escapeNonUtf8(name));
        }
    }

    // Every tenth image (in sorted order, so spread over the classes) is held
    // out; train images come first.
    std::vector<size_t> order;
    for (size_t k = 0; k < good.size(); ++k)
        if (good.size() < 10 || k % 10 != 9) order.push_back(good[k]);
    d.trainCount = int64_t(order.size());
    for (size_t k = 9; k < good.size() && good.size() >= 10; k += 10) order.push_back(good[k]);

    d.count = int64_t(order.size());
    const size_t plane = size_t(R) * R;
    d.pixels.resize(size_t(d.count) * d.channels * plane);
    for (size_t k = 0; k < order.size(); ++k) {
        cv::Mat img = decoded[order[k]];
        if (d.channels == 3 && img.channels() == 1) cv::cvtColor(img, img, cv::COLOR_GRAY2RGB);
        std::vector<cv::Mat> planes;
        cv::split(img, planes);
        for (int c = 0; c < d.channels; ++c)
            std::copy(planes[size_t(c)].datastart, planes[size_t(c)].dataend,
                      d.pixels.begin() + long(k * d.channels * plane + c * plane));
        if (labelled) d.labels.push_back(classIndex[found.images[order[k]].className]);
    }
    std::vector<fs::path> kept;
    for (size_t i : order) kept.push_back(found.images[i].path);
    FolderCaptions captions = readFolderCaptions(folder, kept);
    if (!captions.byImage.empty())
        for (const fs::path& image : kept) {
            const auto caption = captions.byImage.find(image);
            d.captions.push_back(caption == captions.byImage.end() ? std::string() : caption->second);
        }
    d.skipped = std::move(found.skipped);
    d.skipped.insert(d.skipped.end(), captions.problems.begin(), captions.problems.end());
    return d;
}

}  // namespace ddpm
