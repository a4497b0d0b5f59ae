#pragma once
#include <cstdint>

namespace ddpm {

// Without a split given by the files, the last 10% (at least one item, none
// for fewer than 10) are held out.
inline int64_t defaultTrainCount(int64_t count) { return count < 10 ? count : count - count / 10; }

}  // namespace ddpm
