#include "data/FolderCaptions.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "util/DisplayPath.h"
#include "util/JsonValue.h"

namespace ddpm {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kMaxMetadataBytes = 256ull << 20;

std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return "";
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// The whole file, or the reason it cannot be had.
bool readText(const fs::path& path, uint64_t limit, std::string& text, std::string& reason) {
    std::error_code ec;
    const uint64_t size = fs::file_size(path, ec);
    if (ec) {
        reason = "cannot read: " + ec.message();
        return false;
    }
    if (size > limit) {
        reason = "larger than " + std::to_string(limit) + " bytes";
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buffer;
    if (!(buffer << in.rdbuf()) && size > 0) {
        reason = "cannot read";
        return false;
    }
    text = buffer.str();
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);   // a UTF-8 byte-order mark (Excel's "CSV UTF-8")
    return true;
}

// A caption as the dataset keeps it, or the reason it is refused.
bool acceptCaption(const std::string& raw, std::string& caption, std::string& reason) {
    if (!isValidUtf8(raw)) {
        reason = "the caption is not valid UTF-8";
        return false;
    }
    if (raw.size() > kMaxCaptionBytes) {
        reason = "the caption is longer than " + std::to_string(kMaxCaptionBytes) + " bytes";
        return false;
    }
    caption = trimmed(raw);
    return true;
}

class MetadataRows {
public:
    MetadataRows(const std::map<fs::path, fs::path>& imagesByRelative, FolderCaptions& out)
        : images_(imagesByRelative), out_(out) {}

    // One row: its image (relative to the folder) and caption; `where` names it in reports.
    void add(const std::string& fileName, const std::string& text, const std::string& where) {
        const auto image = images_.find(fs::path(fileName).lexically_normal());
        if (image == images_.end()) return report(where, "names " + escapeNonUtf8(fileName) + ", which is not an image of the folder");
        std::string caption, reason;
        if (!acceptCaption(text, caption, reason)) return report(where, reason);
        if (!out_.byImage.emplace(image->second, caption).second) report(where, "a second caption for " + escapeNonUtf8(fileName));
    }
    void report(const std::string& where, const std::string& reason) { out_.problems.push_back({where, reason}); }

private:
    const std::map<fs::path, fs::path>& images_;
    FolderCaptions& out_;
};

void readJsonLines(const fs::path& file, const std::string& text, MetadataRows& rows) {
    std::istringstream in(text);
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        const std::string where = displayPath(file) + " line " + std::to_string(number);
        if (trimmed(line).empty()) continue;
        try {
            const JsonValue row = parseJson(line);
            const JsonValue* name = row.find("file_name");
            const JsonValue* caption = row.find("text");
            if (!row.isObject()) rows.report(where, "not a JSON object");
            else if (!name || !name->isString()) rows.report(where, "no \"file_name\" string");
            else if (!caption || !caption->isString()) rows.report(where, "no \"text\" string");
            else rows.add(name->asString(), caption->asString(), where);
        } catch (const std::exception& e) {
            rows.report(where, std::string("not JSON: ") + e.what());
        }
    }
}

void readCsv(const fs::path& file, const std::string& text, MetadataRows& rows) {
    std::vector<std::vector<std::string>> records;
    try {
        records = parseCsv(text);
    } catch (const std::exception& e) {
        return rows.report(displayPath(file), e.what());
    }
    if (records.empty()) return rows.report(displayPath(file), "empty");
    const auto& header = records.front();
    const auto column = [&](const std::string& name) {
        for (size_t i = 0; i < header.size(); ++i)
            if (trimmed(header[i]) == name) return int(i);
        return -1;
    };
    const int name = column("file_name"), caption = column("text");
    if (name < 0 || caption < 0) return rows.report(displayPath(file), "its header has no file_name and text columns");
    for (size_t r = 1; r < records.size(); ++r) {
        const auto& record = records[r];
        const std::string where = displayPath(file) + " row " + std::to_string(r);
        if (record.size() == 1 && trimmed(record[0]).empty()) continue;
        if (int(record.size()) <= std::max(name, caption)) {
            rows.report(where, "has " + std::to_string(record.size()) + " fields, fewer than the header's");
            continue;
        }
        rows.add(record[size_t(name)], record[size_t(caption)], where);
    }
}

}  // namespace

std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> record;
    std::string field;
    int line = 1;
    size_t i = 0;
    const auto endField = [&] {
        record.push_back(field);
        field.clear();
    };
    while (i < text.size()) {
        const char c = text[i];
        if (field.empty() && c == '"') {   // a quoted field
            const int opened = line;
            for (++i;; ++i) {
                if (i >= text.size()) throw std::runtime_error("line " + std::to_string(opened) + ": a quote that never closes");
                if (text[i] == '"') {
                    if (i + 1 < text.size() && text[i + 1] == '"') {
                        field += '"';
                        ++i;
                        continue;
                    }
                    ++i;
                    break;
                }
                if (text[i] == '\n') ++line;
                field += text[i];
            }
            if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                throw std::runtime_error("line " + std::to_string(line) + ": text after a closing quote");
            continue;
        }
        if (c == ',') {
            endField();
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            endField();
            records.push_back(std::move(record));
            record.clear();
            ++line;
        } else {
            field += c;
        }
        ++i;
    }
    if (!field.empty() || !record.empty()) {
        endField();
        records.push_back(std::move(record));
    }
    return records;
}

FolderCaptions readFolderCaptions(const fs::path& folder, const std::vector<fs::path>& images) {
    FolderCaptions out;
    std::map<fs::path, fs::path> byRelative;
    for (const fs::path& image : images) byRelative.emplace(image.lexically_relative(folder).lexically_normal(), image);
    MetadataRows rows(byRelative, out);
    for (const char* name : {"metadata.jsonl", "metadata.csv"}) {
        const fs::path file = folder / name;
        std::error_code ec;
        if (!fs::is_regular_file(file, ec)) continue;
        std::string text, reason;
        if (!readText(file, kMaxMetadataBytes, text, reason)) {
            out.problems.push_back({displayPath(file), reason});
            continue;
        }
        if (std::string(name) == "metadata.jsonl") readJsonLines(file, text, rows);
        else readCsv(file, text, rows);
    }
    for (const fs::path& image : images) {
        if (out.byImage.count(image)) continue;   // the metadata's caption comes first
        for (const char* extension : {".txt", ".caption"}) {
            fs::path sidecar = image;
            sidecar.replace_extension(extension);
            std::error_code ec;
            if (!fs::is_regular_file(sidecar, ec)) continue;
            std::string raw, caption, reason;
            if (readText(sidecar, kMaxCaptionBytes, raw, reason) && acceptCaption(raw, caption, reason))
                out.byImage.emplace(image, caption);
            else
                out.problems.push_back({displayPath(sidecar), reason});
            break;
        }
    }
    return out;
}

}  // namespace ddpm
