#pragma once
// What the Denoise and Samples tabs ask a SamplingWorker for and get back.
// Plain Qt types only: no torch in the GUI's headers.
#include <QImage>
#include <QList>
#include <QMetaType>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>

namespace ddpm::ui {

// The loaded checkpoint, as the controls need it.
struct ModelSummary {
    QString path;
    QString description;      // one line: model, schedule, data
    bool points = false;      // a 2-D toy model (MLP)
    int timesteps = 1000;     // T
    int numClasses = 0;       // > 0: class-conditional (guidance applies)
    QStringList classNames;
    QVector<QPointF> dataPoints;   // toys: points of the training data, when its name is a built-in toy
};

struct SamplingRequest {
    QString sampler = QStringLiteral("ddim");   // "ddpm" (all T steps) or "ddim"
    int steps = 50;                             // DDIM
    double eta = 0.0;                           // DDIM
    quint64 seed = 0;
    int count = 16;
    int classLabel = -1;                        // -1: cycle over the classes
    double guidance = 1.0;
    bool keepFrames = true;                     // send x_t and x̂0 of every step (the Denoise tab)
};

struct SamplingFrame {
    int index = 0;      // 0 = the initial noise x_T, then 1 … total
    int total = 0;      // denoising steps
    int t = 0;          // the timestep x_t is at (T for the initial noise)
    QImage xt, x0;      // grids of the batch; x0 is null for the initial frame
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
