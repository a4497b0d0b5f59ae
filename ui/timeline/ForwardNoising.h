#pragma once
// What the Timeline tab asks for and gets back: x_t of one image (or of every
// point of a 2-D dataset) at one t, a strip at chosen steps, and the schedule's
// curves. With a latent model open, the image is noised as that model sees it:
// its autoencoder's latents, decoded to be shown, their channels beside them.
// Plain Qt types only: no torch in the GUI's headers.
#include <QImage>
#include <QList>
#include <QMetaType>
#include <QPointF>
#include <QString>
#include <QVector>

#include "dataset/DatasetPtr.h"

namespace ddpm::ui {

struct ScheduleChoice {
    QString kind = QStringLiteral("linear");   // "linear", "cosine" or "sigmoid" (core's names)
    int timesteps = 1000;                      // T
    bool operator==(const ScheduleChoice& o) const { return kind == o.kind && timesteps == o.timesteps; }
    bool operator!=(const ScheduleChoice& o) const { return !(*this == o); }
};

struct ForwardNoisingRequest {
    DatasetPtr dataset;
    int index = -1;                 // image datasets: the image; ignored for points
    ScheduleChoice schedule;
    int t = 0;                      // clamped to [0, T-1]
    QVector<int> stripSteps;        // steps beyond T-1 are left out
    QString model;                  // the open checkpoint: a latent one noises the image's latents
};

// β_t, ᾱ_t, √ᾱ_t and SNR(t) = ᾱ_t/(1−ᾱ_t) for t = 0 … T−1.
struct ScheduleCurves {
    ScheduleChoice schedule;
    QVector<double> t, beta, alphaBar, sqrtAlphaBar, snr;
};

struct ForwardNoisingResult {
    int t = 0;
    int index = -1;                 // the request's image, so that a view can tell a stale result
    ScheduleCurves curves;          // always those of the request's schedule
    QImage xt;                      // image datasets: x_t (decoded, for latents), clamped to [-1,1] for display
    QImage latentChannels;          // latents: x_t's channels side by side, grey from −3 to 3; null for pixels
    QString space;                  // "" for plain pixels; a latent model's latents, or why its autoencoder does not apply
    QVector<int> stripSteps;        // the steps actually shown
    QList<QImage> strip;            // x_t at each strip step (decoded, for latents)
    QVector<QPointF> xtPoints;      // point datasets: every point at t
};

}  // namespace ddpm::ui

Q_DECLARE_METATYPE(ddpm::ui::ForwardNoisingResult)
