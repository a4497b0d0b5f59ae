#pragma once
// What the Denoise and Samples tabs ask a SamplingWorker for and get back.
// Plain Qt and core types only: no torch in the GUI's headers.
#include <QImage>
#include <QList>
#include <QMetaType>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>

#include "conditioning/ClipTokenizer.h"
#include "diffusion/SampleSpace.h"
#include "sampling/SamplingParameters.h"

namespace ddpm::ui {

// The loaded checkpoint, as the controls need it.
struct ModelSummary {
    QString path;
    QString description;      // one line: model, schedule, data
    ddpm::SampleSpace space;   // what it draws: pixels, or 2-D points (a toy's MLP)
    int timesteps = 1000;     // T
    int numClasses = 0;       // > 0: class-conditional (guidance applies)
    QStringList classNames;
    QStringList promptWords;  // built-in text models: the words of their captions
    std::shared_ptr<const ddpm::ClipTokenizer> clipTokenizer;   // CLIP text models: their tokenizer
    int promptContext = 0;    // text models: tokens per prompt, start and end included
    QStringList examplePrompts;   // text models: two prompts that differ in one word, in the model's words
    bool takesPrompts() const { return !promptWords.isEmpty() || clipTokenizer; }
    QVector<QPointF> dataPoints;   // toys: points of the training data, when its name is a built-in toy
};

// What to draw (core's one set of sampling parameters) and whether to see it form.
struct SamplingRequest {
    ddpm::SamplingParameters parameters;
    bool keepFrames = true;   // send x_t and x̂0 of every step (the Denoise tab)
    int attentionToken = -1;  // text models, with frames: the prompt token (0 = start) whose cross-attention to show
    QStringList rowPrompts;   // text models, without frames: a row of parameters.count samples per prompt, each from the same noise
};

struct SamplingFrame {
    int index = 0;      // 0 = the initial noise x_T, then 1 … total
    int total = 0;      // denoising steps
    int t = 0;          // the timestep x_t is at (T for the initial noise)
    QImage xt, x0;      // grids of the batch; x0 is null for the initial frame
    QImage attention;   // the request's token: where the batch attended to it at this step, over x̂0 (null if none)
    QVector<QPointF> xtPoints, x0Points;   // toys
};

struct SamplingResult {
    SamplingRequest request;
    QString checkpoint;          // path of the model that drew them
    QList<QImage> images;        // one per sample (images)
    QVector<QPointF> points;     // toys
};

}  // namespace ddpm::ui

Q_DECLARE_METATYPE(ddpm::ui::ModelSummary)
Q_DECLARE_METATYPE(ddpm::ui::SamplingFrame)
Q_DECLARE_METATYPE(ddpm::ui::SamplingResult)
