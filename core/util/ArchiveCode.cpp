#include "util/ArchiveCode.h"

#include <cctype>
#include <stdexcept>

namespace ddpm {

namespace {

bool endsWith(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool isIdentifierChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// A small cursor over one line: each reader consumes what it accepts and says whether it did.
struct Line {
    const std::string& text;
    size_t at = 0;

    void skipSpaces() {
        while (at < text.size() && text[at] == ' ') ++at;
    }
    bool literal(const char* word) {
        const std::string w(word);
        if (text.compare(at, w.size(), w) != 0) return false;
        at += w.size();
        return true;
    }
    bool identifier() {
        const size_t start = at;
        if (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) return false;
        while (at < text.size() && isIdentifierChar(text[at])) ++at;
        return at > start;
    }
    // "…" without escapes or quotes inside (attribute names such as "params/3").
    bool quoted() {
        if (at >= text.size() || text[at] != '"') return false;
        const size_t close = text.find('"', at + 1);
        if (close == std::string::npos || text.find('\\', at + 1) < close) return false;
        at = close + 1;
        return true;
    }
    // A type: dotted names with [ ] , and spaces (Tensor, Tuple[float, float], __torch__.X.Module).
    bool type() {
        const size_t start = at;
        int depth = 0;
        while (at < text.size()) {
            const char c = text[at];
            if (c == ']' && depth == 0) return false;
            if (c == '[' || c == ']') depth += c == '[' ? 1 : -1;
            else if (!isIdentifierChar(c) && c != '.' && c != ',' && c != ' ') break;
            ++at;
        }
        return at > start && depth == 0;
    }
    // A number (3, -1.5, 1.0000000000000001e-05), True, False, None or a quoted string: a constant's value.
    bool constant() {
        if (quoted() || literal("True") || literal("False") || literal("None")) return true;
        size_t digit = at;
        if (digit < text.size() && (text[digit] == '-' || text[digit] == '+')) ++digit;
        if (digit >= text.size() || !std::isdigit(static_cast<unsigned char>(text[digit]))) return false;
        for (at = digit; at < text.size(); ++at) {
            const char c = text[at];
            const bool exponentSign = (c == '-' || c == '+') && at > digit && (text[at - 1] == 'e' || text[at - 1] == 'E');
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && !exponentSign) break;
        }
        return true;
    }
    // [ "a", "b", ] or []
    bool stringList() {
        if (!literal("[")) return false;
        for (;;) {
            skipSpaces();
            if (literal("]")) return true;
            if (!quoted()) return false;
            skipSpaces();
            if (!literal(",")) {
                skipSpaces();
                return literal("]");
            }
        }
    }
    bool done() {
        skipSpaces();
        return at == text.size();
    }
};

// The statements LibTorch's archive writer prints for a module of attributes.
bool isDeclaration(const std::string& text) {
    Line line{text};
    line.skipSpaces();
    if (line.done() || text[line.at] == '#') return true;   // blank, or a comment
    const size_t start = line.at;
    // class NAME(Module):
    if (line.literal("class ")) {
        line.skipSpaces();
        return line.identifier() && line.literal("(Module):") && line.done();
    }
    // __parameters__ / __buffers__ / __constants__ = [ "name", … ]; __annotations__ = []
    for (const char* list : {"__parameters__", "__buffers__", "__constants__", "__annotations__"}) {
        line.at = start;
        if (line.literal(list)) {
            line.skipSpaces();
            if (line.literal("=")) {
                line.skipSpaces();
                return line.stringList() && line.done();
            }
        }
    }
    // __annotations__["name"] = TYPE
    line.at = start;
    if (line.literal("__annotations__[")) {
        if (!line.quoted() || !line.literal("]")) return false;
        line.skipSpaces();
        if (!line.literal("=")) return false;
        line.skipSpaces();
        return line.type() && line.done();
    }
    // name : TYPE, optionally = CONSTANT (a Final constant); op_version_set = N (older writers)
    line.at = start;
    if (!line.identifier()) return false;
    line.skipSpaces();
    if (line.literal(":")) {
        line.skipSpaces();
        if (!line.type()) return false;
        line.skipSpaces();
        if (line.done()) return true;
        if (!line.literal("=")) return false;
        line.skipSpaces();
        return line.constant() && line.done();
    }
    if (text.compare(start, line.at - start, "op_version_set") != 0 || !line.literal("=")) return false;
    line.skipSpaces();
    return line.constant() && line.done();
}

[[noreturn]] void refuse(const std::string& recordName, const std::string& what) {
    throw std::runtime_error("record '" + recordName + "' " + what +
                             ": DDPM Studio files hold data only, and loading this one could run code from it");
}

// LibTorch's ZIP reader (miniz) finds a record by its name with ASCII case ignored.
std::string lowercase(std::string name) {
    for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    return name;
}

bool isPythonSource(const std::string& recordName) { return endsWith(lowercase(recordName), ".py"); }

}  // namespace

bool isArchiveCodeRecord(const std::string& recordName) {
    const std::string name = lowercase(recordName);
    const bool code = name.find("/code/") != std::string::npos && endsWith(name, ".py");
    return code || endsWith(name, ".pkl") || endsWith(name, ".debug_pkl");
}

void requireDeclarationsOnly(const std::string& recordName, const std::string& bytes) {
    if (!isPythonSource(recordName)) {
        // A custom class's name reaches the unpickler only as the literal text of a GLOBAL opcode.
        if (bytes.find("__torch__.torch.classes") != std::string::npos) refuse(recordName, "names a TorchScript custom class");
        return;
    }
    size_t number = 1;
    for (size_t begin = 0; begin <= bytes.size(); ++number) {
        size_t end = bytes.find('\n', begin);
        if (end == std::string::npos) end = bytes.size();
        std::string text = bytes.substr(begin, end - begin);
        if (!text.empty() && text.back() == '\r') text.pop_back();
        if (!isDeclaration(text)) {
            if (text.size() > 80) text = text.substr(0, 77) + "...";
            refuse(recordName, "holds code, not declarations (line " + std::to_string(number) + ": " + text + ")");
        }
        begin = end + 1;
    }
}

}  // namespace ddpm
