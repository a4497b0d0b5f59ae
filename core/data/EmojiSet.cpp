#include "data/EmojiSet.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "data/DatasetError.h"
#include "data/EmojiTestFile.h"
#include "image/DecodeLimit.h"
#include "util/AtomicFile.h"
#include "util/DisplayPath.h"
#include "util/ResourcePaths.h"

namespace fs = std::filesystem;

namespace ddpm {

namespace {

constexpr const char* kIndexHeader = "# ddpm-studio emoji set 1";
// Bumped when the drawing changes, so an old cache is not taken for a new one.
constexpr int kRendererVersion = 1;
// A cached 64 px RGB PNG is tens of kilobytes; anything near this is not one.
constexpr uintmax_t kMaxCachedPictureBytes = 1u << 20;

std::string envOr(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return value && *value ? value : fallback;
}

std::string hexColour(Rgb8 c) {
    char text[8];
    std::snprintf(text, sizeof text, "%02x%02x%02x", c.r, c.g, c.b);
    return text;
}

// "Noto Color Emoji 2.042" -> "Noto-Color-Emoji-2.042": a folder-name-safe key part.
std::string keyPart(const std::string& text) {
    std::string out;
    for (char c : text) out += std::isalnum(static_cast<unsigned char>(c)) || c == '.' ? c : '-';
    return out;
}

std::vector<std::string> splitTabs(const std::string& line) {
    std::vector<std::string> fields;
    std::stringstream in(line);
    std::string field;
    while (std::getline(in, field, '\t')) fields.push_back(field);
    return fields;
}

struct IndexRow {
    std::string file, codepoints, group, subgroup, name;
};

}  // namespace

bool isEmojiSetName(const std::string& name) { return name == "emoji" || name.rfind("emoji:", 0) == 0; }

EmojiSetOptions parseEmojiSetName(const std::string& name) {
    EmojiSetOptions options;
    if (!isEmojiSetName(name)) throw DatasetError(name, "not an emoji set name");
    std::stringstream parts(name.size() > 6 ? name.substr(6) : std::string());
    std::string part;
    while (std::getline(parts, part, ':')) {
        if (part == "subgroups") options.subgroups = true;
        else if (part == "groups") options.subgroups = false;
        else if (part.rfind("bg=", 0) == 0 && part.size() == 9 &&
                 part.find_first_not_of("0123456789abcdefABCDEF", 3) == std::string::npos) {
            const unsigned long value = std::strtoul(part.c_str() + 3, nullptr, 16);
            options.background = {uint8_t(value >> 16), uint8_t(value >> 8), uint8_t(value)};
        } else {
            throw DatasetError(name, "unknown part \"" + part + "\" (expected subgroups, groups or bg=RRGGBB)");
        }
    }
    return options;
}

std::string emojiFontPath() {
    return envOr("DDPM_EMOJI_FONT", "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf");
}
std::string emojiListPath() { return envOr("DDPM_EMOJI_LIST", "/usr/share/unicode/emoji/emoji-test.txt"); }

bool emojiSetAvailable() {
    std::error_code ec;
    return fs::is_regular_file(emojiFontPath(), ec) && fs::is_regular_file(emojiListPath(), ec);
}

void renderEmojiSet(const std::string& fontPath, const std::string& listPath, int resolution, Rgb8 background,
                    const std::string& folder, const LoadOptions& options) {
    const EmojiTestFile list = readEmojiTestFile(listPath);
    const EmojiFont font(fontPath);
    const fs::path images = fs::path(folder) / "images";
    ensureFolder(images.string());

    std::ostringstream index, skipped;
    index << kIndexHeader << "\t" << resolution << "px\t" << font.version() << "\tUnicode emoji " << list.version
          << "\n# file\tcode points\tgroup\tsubgroup\tname\n";
    skipped << "# code points\tname: sequences " << font.version() << " has no single glyph for\n";
    std::vector<uint8_t> rgb;
    const int64_t total = int64_t(list.entries.size());
    int written = 0;
    for (int64_t i = 0; i < total; ++i) {
        if (options.progress && i % 32 == 0 && !options.progress(i, total)) throw Cancelled();
        const EmojiEntry& e = list.entries[size_t(i)];
        if (!font.render(e.codepoints, resolution, background, rgb)) {
            skipped << codepointsText(e.codepoints) << "\t" << e.name << "\n";
            continue;
        }
        char file[32];
        std::snprintf(file, sizeof file, "images/%04d.png", written++);
        cv::Mat bgr;
        cv::cvtColor(cv::Mat(resolution, resolution, CV_8UC3, rgb.data()), bgr, cv::COLOR_RGB2BGR);
        const fs::path path = fs::path(folder) / file;
        if (!cv::imwrite(path.string(), bgr)) throw DatasetError(displayPath(path), "cannot write the rendered emoji");
        index << file << "\t" << codepointsText(e.codepoints) << "\t" << e.group << "\t" << e.subgroup << "\t"
              << e.name << "\n";
    }
    if (options.progress) options.progress(total, total);
    // The index last: a folder without one is an unfinished render.
    for (const auto& [name, text] : {std::pair{"skipped.tsv", skipped.str()}, std::pair{"index.tsv", index.str()}})
        writeFileAtomically((fs::path(folder) / name).string(), std::vector<uint8_t>(text.begin(), text.end()));
}

Dataset readEmojiSetFolder(const std::string& folder, const EmojiSetOptions& options) {
    const fs::path indexPath = fs::path(folder) / "index.tsv";
    std::ifstream index(indexPath);
    if (!index) throw DatasetError(displayPath(indexPath), "cannot open the emoji index");
    std::string line;
    if (!std::getline(index, line) || line.rfind(kIndexHeader, 0) != 0)
        throw DatasetError(displayPath(indexPath), "not an emoji set index (its first line is not \"" +
                                                       std::string(kIndexHeader) + "\")");
    const std::vector<std::string> header = splitTabs(line);
    const int R = header.size() > 1 ? std::atoi(header[1].c_str()) : 0;
    if (R != 32 && R != 64) throw DatasetError(displayPath(indexPath), "the index gives no resolution of 32 or 64 px");

    std::vector<IndexRow> rows;
    for (int lineNumber = 2; std::getline(index, line); ++lineNumber) {
        if (line.empty() || line[0] == '#') continue;
        const std::vector<std::string> f = splitTabs(line);
        if (f.size() != 5 || f[0].empty() || f[2].empty() || f[3].empty() || f[4].empty())
            throw DatasetError(displayPath(indexPath),
                               "line " + std::to_string(lineNumber) + ": expected 5 tab-separated fields");
        rows.push_back({f[0], f[1], f[2], f[3], f[4]});
    }
    if (rows.empty()) throw DatasetError(displayPath(indexPath), "the index lists no emoji");

    // Every tenth emoji is held out: the held-out ones go last, both parts in list order.
    std::vector<size_t> order;
    for (size_t i = 0; i < rows.size(); ++i)
        if (i % 10 != 9) order.push_back(i);
    const size_t trainCount = order.size();
    for (size_t i = 9; i < rows.size(); i += 10) order.push_back(i);

    Dataset d;
    d.name = options.subgroups ? "emoji:subgroups" : "emoji";
    d.format = "emoji";
    // The cache folder as a user would write it: under the home folder, from "~".
    std::string shownFolder = displayPath(folder);
    const std::string home = envOr("HOME", "");
    if (!home.empty() && shownFolder.rfind(home + "/", 0) == 0) shownFolder = "~" + shownFolder.substr(home.size());
    d.source = header.size() > 3 ? header[2] + ", " + header[3] + ", rendered in " + shownFolder : shownFolder;
    d.count = int64_t(rows.size());
    d.channels = 3;
    d.height = d.width = R;
    d.trainCount = int64_t(trainCount);
    d.pixels.resize(size_t(d.count) * size_t(d.imageBytes()));
    std::map<std::string, int32_t> classOf;
    for (size_t k = 0; k < order.size(); ++k) {
        const IndexRow& row = rows[order[k]];
        const fs::path path = fs::path(folder) / row.file;
        // A picture of the cache is a small regular file; anything else (a pipe, a link to a
        // device) is not read.
        std::error_code error;
        const bool small = fs::is_regular_file(path, error) && fs::file_size(path, error) <= kMaxCachedPictureBytes;
        std::vector<uint8_t> bytes;
        if (small && !error) {
            std::ifstream in(path, std::ios::binary);
            bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
        cv::Mat image;
        if (hasImageSignature(bytes.data(), bytes.size())) {
            try {
                const DecodeLimit limit(uint64_t(4) * R * R * 4);
                image = cv::imdecode(bytes, cv::IMREAD_COLOR);
            } catch (const cv::Exception& e) {
                throw DatasetError(displayPath(path), "cannot decode: " + std::string(e.err));
            }
        }
        if (image.empty()) throw DatasetError(displayPath(path), "missing or not a readable PNG");
        if (image.rows != R || image.cols != R)
            throw DatasetError(displayPath(path), "is " + std::to_string(image.cols) + "x" +
                                                      std::to_string(image.rows) + ", the index says " +
                                                      std::to_string(R) + "x" + std::to_string(R));
        cv::Mat rgb;
        cv::cvtColor(image, rgb, cv::COLOR_BGR2RGB);
        // HWC to the dataset's CHW.
        uint8_t* out = d.pixels.data() + k * size_t(d.imageBytes());
        for (int y = 0; y < R; ++y)
            for (int x = 0; x < R; ++x)
                for (int c = 0; c < 3; ++c) out[size_t(c) * R * R + size_t(y) * R + x] = rgb.at<cv::Vec3b>(y, x)[c];

        const std::string& className = options.subgroups ? row.subgroup : row.group;
        auto [it, added] = classOf.emplace(className, int32_t(d.classNames.size()));
        if (added) d.classNames.push_back(className);
        d.labels.push_back(it->second);
        d.captions.push_back(row.name);
    }

    std::ifstream skipped(fs::path(folder) / "skipped.tsv");
    while (std::getline(skipped, line)) {
        if (line.empty() || line[0] == '#') continue;
        const std::vector<std::string> f = splitTabs(line);
        if (f.size() == 2) d.skipped.push_back({f[0] + " (" + f[1] + ")", "the font has no single glyph for it"});
    }
    return d;
}

Dataset loadEmojiSet(const std::string& name, const LoadOptions& options) {
    EmojiSetOptions set = parseEmojiSetName(name);
    if (options.resolution != 32 && options.resolution != 64)
        throw DatasetError(name, "emoji are drawn at 32 or 64 px, not " + std::to_string(options.resolution));
    set.resolution = options.resolution;
    const std::string fontPath = emojiFontPath(), listPath = emojiListPath();
    std::error_code ec;
    if (!fs::is_regular_file(listPath, ec))
        throw DatasetError(displayPath(listPath), "the emoji list is missing (apt-get install unicode-data)");
    if (!fs::is_regular_file(fontPath, ec))
        throw DatasetError(displayPath(fontPath), "the emoji font is missing (apt-get install fonts-noto-color-emoji)");

    // The key: both sources' versions, the drawing and its size and background.
    const std::string fontVersion = EmojiFont(fontPath).version();
    const std::string listVersion = readEmojiTestFile(listPath).version;
    const fs::path folder = cacheDirectory() / "emoji" /
                            (keyPart(fontVersion) + "_unicode-" + keyPart(listVersion) + "_" +
                             std::to_string(set.resolution) + "px_" + hexColour(set.background) + "_r" +
                             std::to_string(kRendererVersion));
    if (fs::is_regular_file(folder / "index.tsv", ec)) {
        try {
            return readEmojiSetFolder(folder.string(), set);
        } catch (const DatasetError&) {
            fs::remove_all(folder, ec);   // a damaged cache is drawn again
        }
    }
    // Drawn beside the cache and renamed into place: readers never see half a set, and of two
    // processes drawing at once the first to finish wins.
    const fs::path partial = folder.string() + ".partial-" + std::to_string(::getpid());
    fs::remove_all(partial, ec);
    try {
        renderEmojiSet(fontPath, listPath, set.resolution, set.background, partial.string(), options);
        fs::rename(partial, folder, ec);
        if (ec && !fs::is_regular_file(folder / "index.tsv"))
            throw DatasetError(displayPath(folder), "cannot move the rendered set into the cache: " + ec.message());
    } catch (...) {
        fs::remove_all(partial, ec);
        throw;
    }
    fs::remove_all(partial, ec);
    return readEmojiSetFolder(folder.string(), set);
}

}  // namespace ddpm
