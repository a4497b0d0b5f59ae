#include "conditioning/ClipTokenizer.h"

#include <filesystem>
#include <limits>
#include <queue>
#include <tuple>
#include <stdexcept>

#include "util/UnicodeText.h"
#include "util/DisplayPath.h"
#include "util/JsonValue.h"
#include "util/TextFile.h"

namespace fs = std::filesystem;

namespace ddpm {

namespace {

constexpr uint64_t kMaxTokenizerFileBytes = 64ull << 20;
const std::string kStartToken = "<|startoftext|>", kEndToken = "<|endoftext|>";

}  // namespace

// GPT-2's byte alphabet: each byte as a printable character, so BPE never sees
// whitespace or control bytes. Printable Latin-1 bytes stand for themselves; the
// others take the code points from U+0100 on, in byte order.
const std::vector<std::string>& ClipTokenizer::byteSymbols() {
    static const std::vector<std::string> symbols = [] {
        std::vector<std::string> out(256);
        char32_t next = 256;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            out[size_t(b)] = encodeUtf8(printable ? char32_t(b) : next++);
        }
        return out;
    }();
    return symbols;
}

namespace {

// The reference's regex.sub(r"\s+", " ", text.strip()).strip().lower(), where str.strip also
// takes U+001C…U+001F (str.isspace), which the regex module's \s leaves inside the text.
std::u32string cleaned(const std::u32string& text) {
    const auto strippable = [](char32_t c) { return isWhitespace(c) || (c >= 0x1C && c <= 0x1F); };
    size_t begin = 0, end = text.size();
    while (begin < end && strippable(text[begin])) ++begin;
    while (end > begin && strippable(text[end - 1])) --end;
    std::u32string out;
    for (size_t i = begin; i < end; ++i)
        if (!isWhitespace(text[i])) out.push_back(text[i]);
        else if (!isWhitespace(text[i - 1])) out.push_back(U' ');   // a run of whitespace becomes one space
    return lowerCase(out);   // the second strip has nothing left to take: both ends are not whitespace
}

bool startsWith(const std::u32string& text, size_t at, const std::u32string& prefix) {
    return text.compare(at, prefix.size(), prefix) == 0;
}

std::string padTokenOf(const std::string& folder) {
    for (const char* name : {"special_tokens_map.json", "tokenizer_config.json"}) {
        const std::string path = (fs::path(folder) / name).string();
        if (!fs::is_regular_file(path)) continue;
        JsonValue json;
        try {
            json = parseJson(readTextFile(path, kMaxTokenizerFileBytes));
        } catch (const std::runtime_error& e) {
            throw std::runtime_error(escapeNonUtf8(path) + ": " + e.what());
        }
        const JsonValue* pad = json.find("pad_token");
        if (!pad || pad->kind() == JsonValue::Kind::Null) continue;
        if (pad->isString()) return pad->asString();
        if (const JsonValue* content = pad->find("content"); content && content->isString()) return content->asString();
        throw std::runtime_error(escapeNonUtf8(path) + ": pad_token is neither a string nor an object with a content string");
    }
    return kEndToken;
}

}  // namespace

ClipTokenizer ClipTokenizer::fromFolder(const std::string& folder) {
    const std::string vocabPath = (fs::path(folder) / "vocab.json").string();
    const std::string mergesPath = (fs::path(folder) / "merges.txt").string();
    std::unordered_map<std::string, int64_t> vocabulary;
    {
        JsonValue json;
        try {
            json = parseJson(readTextFile(vocabPath, kMaxTokenizerFileBytes));
        } catch (const std::runtime_error& e) {
            const std::string what = e.what();
            throw std::runtime_error(what.rfind(escapeNonUtf8(vocabPath), 0) == 0 ? what : escapeNonUtf8(vocabPath) + ": " + what);
        }
        if (!json.isObject()) throw std::runtime_error(escapeNonUtf8(vocabPath) + ": not a JSON object of tokens and their ids");
        for (const auto& [token, id] : json.asObject()) {
            uint64_t value = 0;
            try {
                value = id.asUint64();
            } catch (const std::runtime_error&) {
                value = ~uint64_t(0);   // not a whole number: refused below
            }
            if (value > uint64_t(std::numeric_limits<int32_t>::max()))
                throw std::runtime_error(escapeNonUtf8(vocabPath) + ": the id of '" + escapeNonUtf8(token) + "' is not a whole number below 2^31");
            vocabulary[token] = int64_t(value);
        }
    }
    std::vector<std::pair<std::string, std::string>> merges;
    const std::string text = readTextFile(mergesPath, kMaxTokenizerFileBytes);
    size_t lineNumber = 0;
    for (size_t begin = 0; begin < text.size();) {
        size_t end = text.find('\n', begin);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(begin, end - begin);
        begin = end + 1;
        ++lineNumber;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || (lineNumber == 1 && line.rfind("#version", 0) == 0)) continue;
        const size_t space = line.find(' ');
        if (space == 0 || space == std::string::npos || line.find(' ', space + 1) != std::string::npos)
            throw std::runtime_error(escapeNonUtf8(mergesPath) + ": line " + std::to_string(lineNumber) +
                                     " is not two tokens separated by a space");
        merges.emplace_back(line.substr(0, space), line.substr(space + 1));
        // A merge whose result has no id would turn into the unknown token wherever it applied.
        if (!vocabulary.count(merges.back().first + merges.back().second))
            throw std::runtime_error(escapeNonUtf8(mergesPath) + ": line " + std::to_string(lineNumber) + " makes '" +
                                     escapeNonUtf8(merges.back().first + merges.back().second) + "', which vocab.json lacks");
    }
    try {
        return ClipTokenizer(std::move(vocabulary), merges, padTokenOf(folder));
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(escapeNonUtf8(vocabPath) + ": " + e.what());
    }
}

ClipTokenizer::ClipTokenizer(std::unordered_map<std::string, int64_t> vocabulary,
                             const std::vector<std::pair<std::string, std::string>>& merges, const std::string& padToken)
    : ids_(std::move(vocabulary)) {
    const auto idOf = [&](const std::string& token) {
        const auto found = ids_.find(token);
        if (found == ids_.end()) throw std::invalid_argument("the vocabulary has no token '" + escapeNonUtf8(token) + "'");
        return found->second;
    };
    start_ = idOf(kStartToken);
    end_ = idOf(kEndToken);
    pad_ = idOf(padToken);
    for (const auto& entry : ids_) largest_ = std::max(largest_, entry.second);
    for (size_t rank = 0; rank < merges.size(); ++rank) ranks_.emplace(merges[rank].first + " " + merges[rank].second, int(rank));
}

std::vector<std::string> ClipTokenizer::words(const std::string& prompt) {
    const std::u32string text = cleaned(decodeUtf8(prompt));
    // The pattern's alternatives in order: the special tokens, English contractions, a run of
    // letters, one digit, a run of anything else but whitespace.
    static const std::u32string literals[] = {U"<|startoftext|>", U"<|endoftext|>", U"'s", U"'t", U"'re",
                                              U"'ve", U"'m", U"'ll", U"'d"};
    std::vector<std::string> out;
    for (size_t i = 0; i < text.size();) {
        size_t length = 0;
        for (const std::u32string& literal : literals)
            if (!length && startsWith(text, i, literal)) length = literal.size();
        const auto runOf = [&](auto belongs) {
            size_t j = i;
            while (j < text.size() && belongs(text[j])) ++j;
            return j - i;
        };
        if (!length && isLetter(text[i])) length = runOf(isLetter);
        if (!length && isNumber(text[i])) length = 1;
        if (!length && !isWhitespace(text[i]))
            length = runOf([](char32_t c) { return !isWhitespace(c) && !isLetter(c) && !isNumber(c); });
        if (length) out.push_back(encodeUtf8(text.substr(i, length)));
        i += std::max<size_t>(length, 1);
    }
    return out;
}

std::vector<std::string> ClipTokenizer::wordSymbols(const std::string& word) const {
    if (word == kStartToken || word == kEndToken) return {word};
    if (word.empty()) return {};
    // A linked list of symbols and a heap of mergeable neighbours, lowest rank (then leftmost)
    // first: the reference's "merge the best pair everywhere, again" in O(n log n) rather than
    // O(n²) on a long word. A merge's result only ever ranks after it, so the order is the same.
    const int n = int(word.size());
    const size_t count = word.size();
    std::vector<std::string> text(count);
    std::vector<int> next(count), prev(count), version(count, 0);
    for (int i = 0; i < n; ++i) {
        text[size_t(i)] = byteSymbols()[static_cast<unsigned char>(word[size_t(i)])];
        next[size_t(i)] = i + 1 < n ? i + 1 : -1;
        prev[size_t(i)] = i - 1;
    }
    text.back() += "</w>";
    using Candidate = std::tuple<int, int, int, int, int>;   // rank, left, right, their versions
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> heap;
    const auto offer = [&](int left) {
        const int right = left < 0 ? -1 : next[size_t(left)];
        if (right < 0) return;
        const auto rank = ranks_.find(text[size_t(left)] + " " + text[size_t(right)]);
        if (rank != ranks_.end()) heap.emplace(rank->second, left, right, version[size_t(left)], version[size_t(right)]);
    };
    for (int i = 0; i < n; ++i) offer(i);
    while (!heap.empty()) {
        const auto [rank, left, right, leftVersion, rightVersion] = heap.top();
        heap.pop();
        if (version[size_t(left)] != leftVersion || version[size_t(right)] != rightVersion || next[size_t(left)] != right)
            continue;   // one of the two has been merged since
        text[size_t(left)] += text[size_t(right)];
        ++version[size_t(left)];
        ++version[size_t(right)];
        next[size_t(left)] = next[size_t(right)];
        if (next[size_t(left)] >= 0) prev[size_t(next[size_t(left)])] = left;
        offer(prev[size_t(left)]);
        offer(left);
    }
    std::vector<std::string> symbols;
    for (int i = 0; i >= 0; i = next[size_t(i)]) symbols.push_back(std::move(text[size_t(i)]));
    return symbols;
}

std::vector<int64_t> ClipTokenizer::wordIds(const std::string& word) const {
    if (word == kStartToken) return {start_};
    if (word == kEndToken) return {end_};
    const std::vector<std::string> symbols = wordSymbols(word);
    std::vector<int64_t> ids;
    for (const std::string& symbol : symbols) {
        const auto found = ids_.find(symbol);
        ids.push_back(found == ids_.end() ? end_ : found->second);   // the reference's unknown token is the end token
    }
    return ids;
}

std::vector<std::string> ClipTokenizer::tokenTexts(const std::string& prompt, size_t context) const {
    static const std::unordered_map<std::string, char> byteOf = [] {
        std::unordered_map<std::string, char> table;
        for (int b = 0; b < 256; ++b) table[byteSymbols()[size_t(b)]] = char(b);
        return table;
    }();
    std::vector<std::string> texts;
    for (const std::string& word : words(prompt))
        for (std::string symbol : wordSymbols(word)) {
            if (texts.size() + 2 >= context) return texts;
            if (symbol == kStartToken || symbol == kEndToken) {
                texts.push_back(symbol);
                continue;
            }
            if (symbol.size() >= 4 && symbol.compare(symbol.size() - 4, 4, "</w>") == 0) symbol.resize(symbol.size() - 4);
            std::string bytes;
            for (char32_t c : decodeUtf8(symbol)) bytes += byteOf.at(encodeUtf8(c));
            texts.push_back(escapeNonUtf8(bytes));
        }
    return texts;
}

TokenizedPrompt ClipTokenizer::encode(const std::string& prompt, size_t context) const {
    if (context < 3) throw std::invalid_argument("a context of " + std::to_string(context) + " tokens cannot hold a prompt");
    std::vector<std::string> split;
    try {
        split = words(prompt);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("the prompt is " + std::string(e.what()) + ": '" + escapeNonUtf8(prompt) + "'");
    }
    TokenizedPrompt t;
    t.ids.push_back(start_);
    for (size_t w = 0; w < split.size() && !t.truncated(); ++w)
        for (int64_t id : wordIds(split[w])) {
            if (t.ids.size() == context - 1) {
                t.truncatedAt = w;
                t.cutWord = split[w];
                break;
            }
            t.ids.push_back(id);
        }
    t.ids.push_back(end_);
    t.mask.assign(t.ids.size(), 1);
    t.ids.resize(context, pad_);
    t.mask.resize(context, 0);
    return t;
}

}  // namespace ddpm
