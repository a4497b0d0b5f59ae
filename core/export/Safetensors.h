#pragma once
// The safetensors file format (Hugging Face): an 8-byte little-endian header
// length, a JSON header giving each tensor's dtype, shape and byte range, then
// the raw little-endian tensor data. Loaders map it without running code, which
// is why it is the usual way to hand weights to other tools.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <ATen/core/Tensor.h>

namespace ddpm {

struct NamedTensor {
    std::string name;      // e.g. "down.0.conv1.weight"
    at::Tensor tensor;     // any device, contiguous or not
};

// "F32", "BF16", "I64", ...; throws std::invalid_argument for a type safetensors has no name for.
std::string safetensorsDtype(at::ScalarType type);
// The inverse; throws std::invalid_argument for a name it does not know.
at::ScalarType scalarTypeFromSafetensors(const std::string& dtype);

// Writes the tensors in the given order, with metadata as the header's
// "__metadata__" (string to string), atomically. Throws std::runtime_error
// naming path (unwritable folder, disk full) or std::invalid_argument
// (duplicate or empty name, unsupported dtype).
void writeSafetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                      const std::vector<std::pair<std::string, std::string>>& metadata);

struct SafetensorsFile {
    std::vector<NamedTensor> tensors;                 // CPU, in the order of their data
    std::map<std::string, std::string> metadata;      // "__metadata__"
};

// Reads a whole safetensors file. Every size, offset and dtype is checked against the file
// before anything is allocated, so no tensor is larger than the bytes behind it. Throws
// std::runtime_error naming the file, and the tensor or field at fault.
SafetensorsFile readSafetensors(const std::string& path);

}  // namespace ddpm
