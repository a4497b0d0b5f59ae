#pragma once
// The denoising trajectory as files: an MP4 video or an animated PNG of x_t
// beside x̂0 (and, for a text model with a word picked, where the image attends
// to it) at every kept step, and a one-picture strip of a few steps.
// Runs anywhere (the Denoise tab calls it on a pool thread); throws
// std::runtime_error naming the file and the reason.
#include <QImage>
#include <QString>
#include <QVector>
#include <map>
#include <string>

#include "generation/Sampling.h"

namespace ddpm::ui {

enum class AnimationFormat { Mp4, Apng };

// One picture of a frame: x_t | x̂0 (or, for points, both scatters) | with `attention`, the
// frame's attention map, each enlarged to about 256 pixels high with crisp pixels, under a
// line saying the step and t.
QImage composeFrame(const SamplingFrame& frame, bool attention);

void writeAnimation(const QString& path, AnimationFormat format, const QVector<SamplingFrame>& frames,
                    int framesPerSecond);
// Up to maxFrames steps evenly picked (the first and the last included), side by side,
// x_t above x̂0 (above the attention map); the text goes into the PNG's tEXt chunks.
void writeFrameStrip(const QString& path, const QVector<SamplingFrame>& frames, int maxFrames,
                     const std::map<std::string, std::string>& text);

}  // namespace ddpm::ui
