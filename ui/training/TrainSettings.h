#pragma once
// The Train tab's settings in plain Qt types (no torch here, so any view can
// hold them): what the form shows, what QSettings keeps, what the training
// worker turns into core's RunConfig (RunConfigFromSettings.h).
#include <QString>

#include "training/RunCadence.h"

class QSettings;

namespace ddpm::ui {

struct TrainSettings {
    QString preset;            // ModelConfig::presetNames(): tiny, small, ddpm-cifar, peer, mlp
    int batchSize = 0;
    double learningRate = 0;
    QString schedule;          // linear, cosine, sigmoid
    QString objective;         // eps, x0, v
    double emaDecay = 0;
    QString precision;         // fp32, bf16
    bool useTimeBudget = false;   // train for `minutes` of training time instead of `steps`
    qint64 steps = 0;
    double minutes = 0;
    bool classConditional = false;   // applies only to datasets with labels (runConfigFromSettings)
    double classDropProb = 0;     // share of labels (or captions) dropped for guidance
    QString textEncoder;          // "builtin" or "clip:FOLDER": prompts from the captions (applies to captioned data, over classes); "": none
    int previewEvery = 0;      // steps between preview grids
    double autosaveMinutes = 0;   // 0: no autosave
    qint64 saveEverySteps = 0;    // also save every this many steps (0: not by steps)
    bool latent = false;          // latent diffusion: on the latents of `autoencoder`
    QString autoencoder;          // its checkpoint (ddpm train-vae); empty: one is trained first
    double autoencoderMinutes = 0;   // how long, when it is trained first

    // Core's RunConfig / TrainConfig defaults (the ones that give digits soonest on a CPU).
    static TrainSettings defaults();
    // Reads the saved settings under "train/", each missing entry from defaults().
    static TrainSettings load(const QSettings& settings);
    void save(QSettings& settings) const;
    // Previews every previewEvery steps, saves every autosaveMinutes and every saveEverySteps.
    ddpm::RunCadence cadence() const;
};

}  // namespace ddpm::ui
