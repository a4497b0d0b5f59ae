// The PNG text chunks a dropped sample grid carries, and the sampling parameters read from them.
#include <stdexcept>

#include "FuzzInput.h"
#include "image/ImageGrid.h"
#include "sampling/SamplingParameters.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const auto text = ddpm::readPngText(ddpm::fuzz::writeInput(data, size, "samples.png"));
        if (ddpm::hasSamplingParameters(text)) ddpm::samplingParametersFromPngText(text);
    } catch (const std::runtime_error&) {
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
