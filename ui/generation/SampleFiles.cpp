#include "generation/SampleFiles.h"

#include <torch/torch.h>

#include "common/MatImage.h"
#include "common/TensorImage.h"
#include "image/ImageGrid.h"

namespace ddpm::ui {

QImage sampleGrid(const QList<QImage>& samples, int padding, int columns) {
    if (samples.isEmpty()) return {};
    // Back to the (N,C,H,W) [-1,1] tensor core's grid takes; uint8 -> [-1,1] -> uint8 is exact.
    std::vector<torch::Tensor> items;
    for (const QImage& image : samples) {
        const cv::Mat mat = toMat(image);   // (H,W,C) uint8
        items.push_back(torch::from_blob(mat.data, {mat.rows, mat.cols, mat.channels()}, torch::kUInt8)
                            .permute({2, 0, 1})
                            .to(torch::kFloat) / 127.5 - 1.0);
    }
    return toQImage(ddpm::makeGrid(torch::stack(items), columns > 0 ? columns : gridColumns(samples.size()), padding));
}

void writeSamplePng(const QString& path, const QImage& picture, const std::map<std::string, std::string>& text) {
    ddpm::writePng(path.toStdString(), toMat(picture), text);
}

std::optional<ddpm::SamplingParameters> readSamplingParameters(const QString& path) {
    std::map<std::string, std::string> text;
    try {
        text = ddpm::readPngText(path.toStdString());
    } catch (const std::runtime_error&) {
        return std::nullopt;   // not a PNG
    }
    if (!ddpm::hasSamplingParameters(text)) return std::nullopt;
    return ddpm::samplingParametersFromPngText(text);
}

QStringList readRowPrompts(const QString& path) {
    try {
        const auto text = ddpm::readPngText(path.toStdString());
        const auto rows = text.find("ddpm:prompts");
        if (rows != text.end()) return QString::fromUtf8(rows->second.c_str()).split('\n');
    } catch (const std::runtime_error&) {
        // Not a PNG: no rows.
    }
    return {};
}

}  // namespace ddpm::ui
