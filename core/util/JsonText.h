#pragma once
// JSON text for the few places that write it by hand (safetensors headers, --json output).
#include <string>

namespace ddpm {

// text as a quoted JSON string: quotes, backslashes and control characters
// escaped, UTF-8 passed through unchanged.
std::string jsonString(const std::string& text);

}  // namespace ddpm
