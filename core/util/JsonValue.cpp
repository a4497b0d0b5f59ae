#include "util/JsonValue.h"

#include <cstdlib>
#include <set>

#include "util/UnicodeText.h"

namespace ddpm {

namespace {
constexpr int kMaxDepth = 64;
[[noreturn]] void wrongKind(const char* wanted) { throw std::runtime_error(std::string("JSON: expected ") + wanted); }
}  // namespace

const std::string& JsonValue::asString() const {
    if (kind_ != Kind::String) wrongKind("a string");
    return text_;
}

uint64_t JsonValue::asUint64() const {
    if (kind_ != Kind::Number || text_.empty() || text_.find_first_not_of("0123456789") != std::string::npos)
        wrongKind("a whole number");
    uint64_t value = 0;
    for (char c : text_) {
        const uint64_t digit = uint64_t(c - '0');
        if (value > (UINT64_MAX - digit) / 10) throw std::runtime_error("JSON: number " + text_ + " is too large");
        value = value * 10 + digit;
    }
    return value;
}

double JsonValue::asDouble() const {
    if (kind_ != Kind::Number) wrongKind("a number");
    return std::strtod(text_.c_str(), nullptr);
}

bool JsonValue::asBool() const {
    if (kind_ != Kind::Bool) wrongKind("true or false");
    return bool_;
}

const std::vector<JsonValue>& JsonValue::asArray() const {
    if (kind_ != Kind::Array) wrongKind("an array");
    return items_;
}

const std::vector<std::pair<std::string, JsonValue>>& JsonValue::asObject() const {
    if (kind_ != Kind::Object) wrongKind("an object");
    return members_;
}

const JsonValue* JsonValue::find(const std::string& key) const {
    for (const auto& [name, value] : members_)
        if (name == key) return &value;
    return nullptr;
}

class JsonParser {
public:
    explicit JsonParser(const std::string& text) : s_(text) {}

    JsonValue document() {
        JsonValue v = value(0);
        skipSpace();
        if (at_ != s_.size()) fail("text after the value");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error("JSON: " + what + " at byte " + std::to_string(at_));
    }
    void skipSpace() {
        while (at_ < s_.size() && (s_[at_] == ' ' || s_[at_] == '\t' || s_[at_] == '\n' || s_[at_] == '\r')) ++at_;
    }
    bool take(char c) {
        skipSpace();
        if (at_ < s_.size() && s_[at_] == c) {
            ++at_;
            return true;
        }
        return false;
    }
    void expect(char c) {
        if (!take(c)) fail(std::string("expected '") + c + "'");
    }
    void word(const char* w) {
        for (const char* p = w; *p; ++p, ++at_)
            if (at_ >= s_.size() || s_[at_] != *p) fail("unknown word");
    }

    JsonValue value(int depth) {
        if (depth > kMaxDepth) fail("nesting deeper than " + std::to_string(kMaxDepth));
        skipSpace();
        if (at_ >= s_.size()) fail("unexpected end");
        JsonValue v;
        const char c = s_[at_];
        if (c == '{') {
            ++at_;
            v.kind_ = JsonValue::Kind::Object;
            std::set<std::string> keys;
            if (take('}')) return v;
            do {
                skipSpace();
                std::string key = string();
                if (!keys.insert(key).second) fail("key '" + key + "' given twice");
                expect(':');
                v.members_.emplace_back(std::move(key), value(depth + 1));
            } while (take(','));
            expect('}');
        } else if (c == '[') {
            ++at_;
            v.kind_ = JsonValue::Kind::Array;
            if (take(']')) return v;
            do v.items_.push_back(value(depth + 1));
            while (take(','));
            expect(']');
        } else if (c == '"') {
            v.kind_ = JsonValue::Kind::String;
            v.text_ = string();
        } else if (c == 't' || c == 'f') {
            v.kind_ = JsonValue::Kind::Bool;
            v.bool_ = c == 't';
            word(v.bool_ ? "true" : "false");
        } else if (c == 'n') {
            word("null");
        } else {
            v.kind_ = JsonValue::Kind::Number;
            v.text_ = number();
        }
        return v;
    }

    std::string number() {
        const size_t start = at_;
        auto digits = [&] {
            const size_t from = at_;
            while (at_ < s_.size() && s_[at_] >= '0' && s_[at_] <= '9') ++at_;
            if (at_ == from) fail("malformed number");
        };
        if (at_ < s_.size() && s_[at_] == '-') ++at_;
        if (at_ < s_.size() && s_[at_] == '0') ++at_;
        else digits();
        if (at_ < s_.size() && s_[at_] == '.') {
            ++at_;
            digits();
        }
        if (at_ < s_.size() && (s_[at_] == 'e' || s_[at_] == 'E')) {
            ++at_;
            if (at_ < s_.size() && (s_[at_] == '+' || s_[at_] == '-')) ++at_;
            digits();
        }
        return s_.substr(start, at_ - start);
    }

    unsigned hex4() {
        if (s_.size() - at_ < 4) fail("short \\u escape");
        unsigned v = 0;
        for (int i = 0; i < 4; ++i, ++at_) {
            const char c = s_[at_];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= unsigned(c - '0');
            else if (c >= 'a' && c <= 'f') v |= unsigned(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') v |= unsigned(c - 'A' + 10);
            else fail("bad \\u escape");
        }
        return v;
    }

    std::string string() {
        if (at_ >= s_.size() || s_[at_] != '"') fail("expected a string");
        ++at_;
        std::string out;
        while (true) {
            if (at_ >= s_.size()) fail("unterminated string");
            const char c = s_[at_++];
            if (c == '"') return out;
            if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (at_ >= s_.size()) fail("unterminated string");
            switch (s_[at_++]) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    unsigned cp = hex4();
                    if (cp >= 0xD800 && cp < 0xDC00) {   // a surrogate pair
                        if (s_.compare(at_, 2, "\\u") != 0) fail("lone surrogate");
                        at_ += 2;
                        const unsigned low = hex4();
                        if (low < 0xDC00 || low >= 0xE000) fail("lone surrogate");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    } else if (cp >= 0xDC00 && cp < 0xE000) {
                        fail("lone surrogate");
                    }
                    out += encodeUtf8(char32_t(cp));
                    break;
                }
                default: fail("unknown escape");
            }
        }
    }

    const std::string& s_;
    size_t at_ = 0;
};

JsonValue parseJson(const std::string& text) { return JsonParser(text).document(); }

}  // namespace ddpm
