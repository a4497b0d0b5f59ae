#include "export/NpyFile.h"

#include <cstring>

#include "util/AtomicFile.h"

namespace ddpm {

void writeFloatNpy(const std::string& path, const torch::Tensor& values) {
    const auto floats = values.detach().to(torch::kCPU, torch::kFloat).contiguous();
    // As NumPy writes it: (N,) keeps its comma, (N, M) is joined with ", ".
    std::string shape;
    for (int64_t d = 0; d < floats.dim(); ++d) shape += (d ? ", " : "") + std::to_string(floats.size(d));
    if (floats.dim() == 1) shape += ",";
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }";
    // Magic (6), version (2), header length (2), header: the data starts at a multiple of 64.
    const size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    std::vector<uint8_t> bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, uint8_t(header.size() & 0xff), uint8_t(header.size() >> 8)};
    bytes.insert(bytes.end(), header.begin(), header.end());
    const size_t dataBytes = size_t(floats.numel()) * sizeof(float);
    const size_t start = bytes.size();
    bytes.resize(start + dataBytes);
    if (dataBytes) std::memcpy(bytes.data() + start, floats.data_ptr<float>(), dataBytes);   // x86 and ARM are little-endian
    writeFileAtomically(path, bytes);
}

}  // namespace ddpm
