#pragma once
// A small CLIP text model in the Hugging Face folder layout (config.json,
// model.safetensors, vocab.json, merges.txt, special_tokens_map.json): 32 wide, 2
// layers of 4 heads, 24 positions, a projection to 16, random weights from a fixed
// seed, and a vocabulary of the byte alphabet plus one token for each of a few
// words. What the tests and fuzz targets load where a user would point at
// openai/clip-vit-*. No Qt, so the fuzz targets can use it.
#include <string>

namespace ddpm::test {

// Writes the folder (created if needed) and returns it.
std::string writeTinyClipFolder(const std::string& folder);

}  // namespace ddpm::test
