#include "util/KeyValueText.h"

#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace ddpm {

namespace {
std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    const auto e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}
}  // namespace

std::optional<std::vector<int>> parseIntList(const std::string& text) {
    std::vector<int> out;
    std::istringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        char* end = nullptr;
        const long v = std::strtol(item.c_str(), &end, 10);
        if (item.empty() || *end) return std::nullopt;
        out.push_back(int(v));
    }
    return out;
}

KeyValueText KeyValueText::parse(const std::string& text) {
    KeyValueText kv;
    std::istringstream in(text);
    int lineNo = 0;
    for (std::string line; std::getline(in, line);) {
        ++lineNo;
        if (trim(line).empty() || trim(line)[0] == '#') continue;
        const auto eq = line.find('=');
        if (eq == std::string::npos)
            throw std::invalid_argument("configuration line " + std::to_string(lineNo) + " has no '=': " + line);
        kv.set(trim(line.substr(0, eq)), trim(line.substr(eq + 1)));
    }
    return kv;
}

std::string KeyValueText::toString() const {
    std::string out;
    for (const auto& [k, v] : ordered_) out += k + " = " + v + "\n";
    return out;
}

void KeyValueText::set(const std::string& key, const std::string& value) {
    if (!values_.count(key)) ordered_.emplace_back(key, value);
    else
        for (auto& kv : ordered_)
            if (kv.first == key) kv.second = value;
    values_[key] = value;
}

void KeyValueText::set(const std::string& key, double value) {
    std::ostringstream out;
    out.precision(17);
    out << value;
    set(key, out.str());
}

void KeyValueText::set(const std::string& key, long long value) { set(key, std::to_string(value)); }

void KeyValueText::set(const std::string& key, const std::vector<int>& values) {
    std::string s;
    for (size_t i = 0; i < values.size(); ++i) s += (i ? "," : "") + std::to_string(values[i]);
    set(key, s);
}

void KeyValueText::set(const std::string& key, const std::vector<std::string>& values) {
    std::string s;
    for (size_t i = 0; i < values.size(); ++i) s += (i ? "|" : "") + values[i];
    set(key, s);
}

std::string KeyValueText::getString(const std::string& key) const {
    auto it = values_.find(key);
    if (it == values_.end()) throw std::invalid_argument("configuration has no '" + key + "'");
    return it->second;
}

double KeyValueText::getDouble(const std::string& key) const {
    const std::string v = getString(key);
    char* end = nullptr;
    const double d = std::strtod(v.c_str(), &end);
    if (v.empty() || *end) throw std::invalid_argument("configuration '" + key + "' is not a number: " + v);
    return d;
}

long long KeyValueText::getInt(const std::string& key) const {
    const std::string v = getString(key);
    char* end = nullptr;
    const long long i = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end) throw std::invalid_argument("configuration '" + key + "' is not a whole number: " + v);
    return i;
}

std::vector<int> KeyValueText::getIntList(const std::string& key) const {
    const std::string text = getString(key);
    auto list = parseIntList(text);
    if (!list) throw std::invalid_argument("configuration '" + key + "' is not a list of whole numbers: " + text);
    return *list;
}

std::vector<std::string> KeyValueText::getStringList(const std::string& key) const {
    std::vector<std::string> out;
    const std::string v = getString(key);
    if (v.empty()) return out;
    std::istringstream in(v);
    for (std::string item; std::getline(in, item, '|');) out.push_back(item);
    return out;
}

}  // namespace ddpm
