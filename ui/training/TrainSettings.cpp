#include "training/TrainSettings.h"

#include <QSettings>

#include "training/RunConfig.h"

namespace ddpm::ui {

namespace {

// The tab's own cadences (the run length is core's kDefaultTrainingSteps).
constexpr double kDefaultMinutes = 10;        // the README's "ten minutes on a 2-core CPU"
constexpr int kDefaultPreviewEvery = 200;     // steps between EMA sample grids
constexpr double kDefaultAutosaveMinutes = 5;
// An autoencoder trained first reaches 25 dB held-out PSNR on the emoji in about 6 minutes (docs/latent-diffusion.md).
constexpr double kDefaultAutoencoderMinutes = 10;

}  // namespace

TrainSettings TrainSettings::defaults() {
    const RunConfig core;
    TrainSettings s;
    s.preset = QStringLiteral("tiny");   // ddpm train's preset for images; 2-D data always uses mlp
    s.batchSize = core.train.batchSize;
    s.learningRate = core.train.learningRate;
    const PresetRecipe recipe = presetRecipe(s.preset.toStdString());   // as ddpm train --preset tiny
    s.schedule = QString::fromStdString(toString(recipe.schedule));
    s.objective = QString::fromStdString(toString(recipe.objective));
    s.emaDecay = core.train.emaDecay;
    s.precision = QString::fromStdString(toString(core.train.precision));
    s.useTimeBudget = false;
    s.steps = kDefaultTrainingSteps;
    s.minutes = kDefaultMinutes;
    s.classConditional = recipe.classConditional;   // applies where the dataset has labels
    s.classDropProb = core.train.classDropProb;
    s.previewEvery = kDefaultPreviewEvery;
    s.autosaveMinutes = kDefaultAutosaveMinutes;
    s.autoencoderMinutes = kDefaultAutoencoderMinutes;
    return s;
}

TrainSettings TrainSettings::load(const QSettings& settings) {
    const TrainSettings d = defaults();
    TrainSettings s;
    s.preset = settings.value("train/preset", d.preset).toString();
    s.batchSize = settings.value("train/batchSize", d.batchSize).toInt();
    s.learningRate = settings.value("train/learningRate", d.learningRate).toDouble();
    s.schedule = settings.value("train/schedule", d.schedule).toString();
    s.objective = settings.value("train/objective", d.objective).toString();
    s.emaDecay = settings.value("train/emaDecay", d.emaDecay).toDouble();
    s.precision = settings.value("train/precision", d.precision).toString();
    s.useTimeBudget = settings.value("train/useTimeBudget", d.useTimeBudget).toBool();
    s.steps = settings.value("train/steps", d.steps).toLongLong();
    s.minutes = settings.value("train/minutes", d.minutes).toDouble();
    s.classConditional = settings.value("train/classConditional", d.classConditional).toBool();
    s.classDropProb = settings.value("train/classDropProb", d.classDropProb).toDouble();
    s.textEncoder = settings.value("train/textEncoder", d.textEncoder).toString();
    s.previewEvery = settings.value("train/previewEvery", d.previewEvery).toInt();
    s.autosaveMinutes = settings.value("train/autosaveMinutes", d.autosaveMinutes).toDouble();
    s.saveEverySteps = settings.value("train/saveEverySteps", d.saveEverySteps).toLongLong();
    s.latent = settings.value("train/latent", d.latent).toBool();
    s.autoencoder = settings.value("train/autoencoder", d.autoencoder).toString();
    s.autoencoderMinutes = settings.value("train/autoencoderMinutes", d.autoencoderMinutes).toDouble();
    return s;
}

void TrainSettings::save(QSettings& settings) const {
    settings.setValue("train/preset", preset);
    settings.setValue("train/batchSize", batchSize);
    settings.setValue("train/learningRate", learningRate);
    settings.setValue("train/schedule", schedule);
    settings.setValue("train/objective", objective);
    settings.setValue("train/emaDecay", emaDecay);
    settings.setValue("train/precision", precision);
    settings.setValue("train/useTimeBudget", useTimeBudget);
    settings.setValue("train/steps", steps);
    settings.setValue("train/minutes", minutes);
    settings.setValue("train/classConditional", classConditional);
    settings.setValue("train/classDropProb", classDropProb);
    settings.setValue("train/textEncoder", textEncoder);
    settings.setValue("train/previewEvery", previewEvery);
    settings.setValue("train/autosaveMinutes", autosaveMinutes);
    settings.setValue("train/saveEverySteps", saveEverySteps);
    settings.setValue("train/latent", latent);
    settings.setValue("train/autoencoder", autoencoder);
    settings.setValue("train/autoencoderMinutes", autoencoderMinutes);
}

ddpm::RunCadence TrainSettings::cadence() const {
    ddpm::RunCadence c;
    c.previewEvery = previewEvery;
    c.saveEveryMinutes = autosaveMinutes;
    c.saveEverySteps = saveEverySteps;
    return c;
}

}  // namespace ddpm::ui
