#pragma once
// A JSON reader for the small documents the program reads from other tools
// (safetensors headers, Hugging Face config.json): strict RFC 8259 syntax,
// nesting limited so hostile input cannot exhaust the stack, numbers kept as
// their text so 64-bit offsets stay exact.
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace ddpm {

class JsonValue {
public:
    enum class Kind { Null, Bool, Number, String, Array, Object };

    Kind kind() const { return kind_; }
    bool isObject() const { return kind_ == Kind::Object; }
    bool isArray() const { return kind_ == Kind::Array; }
    bool isString() const { return kind_ == Kind::String; }
    bool isNumber() const { return kind_ == Kind::Number; }

    // Each throws std::runtime_error when the value is of another kind.
    const std::string& asString() const;
    uint64_t asUint64() const;   // a whole number in 0 … 2^64-1, exactly
    double asDouble() const;
    bool asBool() const;
    const std::vector<JsonValue>& asArray() const;
    // Members in file order; a key given twice is an error at parse time.
    const std::vector<std::pair<std::string, JsonValue>>& asObject() const;
    const JsonValue* find(const std::string& key) const;   // nullptr when absent (or not an object)

private:
    friend class JsonParser;
    Kind kind_ = Kind::Null;
    bool bool_ = false;
    std::string text_;   // a string's value, or a number's text
    std::vector<JsonValue> items_;
    std::vector<std::pair<std::string, JsonValue>> members_;
};

// Throws std::runtime_error("… at byte N") for malformed text or nesting deeper than 64.
JsonValue parseJson(const std::string& text);

}  // namespace ddpm
