#pragma once
// "key = value" lines: the human-readable configuration stored in checkpoints.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ddpm {

// "1,2,2" -> {1,2,2}; "" -> {}; nullopt when an item is not a whole number.
std::optional<std::vector<int>> parseIntList(const std::string& text);

class KeyValueText {
public:
    KeyValueText() = default;
    static KeyValueText parse(const std::string& text);   // throws std::invalid_argument on a malformed line
    std::string toString() const;

    void set(const std::string& key, const std::string& value);
    void set(const std::string& key, const char* value) { set(key, std::string(value)); }
    void set(const std::string& key, double value);
    void set(const std::string& key, long long value);
    void set(const std::string& key, int value) { set(key, static_cast<long long>(value)); }
    void set(const std::string& key, const std::vector<int>& values);
    void set(const std::string& key, const std::vector<std::string>& values);   // joined with '|'

    bool has(const std::string& key) const { return values_.count(key) > 0; }
    // Getters throw std::invalid_argument naming the key when it is missing or malformed.
    std::string getString(const std::string& key) const;
    double getDouble(const std::string& key) const;
    long long getInt(const std::string& key) const;
    std::vector<int> getIntList(const std::string& key) const;
    std::vector<std::string> getStringList(const std::string& key) const;
    // Every entry in the order it was first set.
    const std::vector<std::pair<std::string, std::string>>& entries() const { return ordered_; }

private:
    std::vector<std::pair<std::string, std::string>> ordered_;
    std::map<std::string, std::string> values_;
};

}  // namespace ddpm
