#include "training/RunConfigFromSettings.h"

#include <stdexcept>

#include "autoencoder/LatentCodec.h"
#include "conditioning/ClipTextModel.h"
#include "conditioning/PromptEncoding.h"

namespace ddpm::ui {

RunConfig runConfigFromSettings(const TrainSettings& s, const Dataset& dataset, const TrainedAutoencoder* autoencoder) {
    const bool points = dataset.isPoints();
    SampleSpace space = sampleSpaceOf(dataset);
    if (s.latent && !points) {
        if (!autoencoder)
            throw std::invalid_argument("latent diffusion needs an autoencoder (ddpm train-vae makes one)");
        checkAutoencoderFits(autoencoder->model->config(), dataset);
        space = latentSpaceOf(autoencoder->model->config());
    }
    TextConfig named;
    named.encoder = s.textEncoder.toStdString();
    const bool clip = named.usesClip();
    const bool text = (named.encoder == "builtin" || clip) && !points && !dataset.captions.empty();
    const bool conditional = !text && s.classConditional && dataset.hasLabels();
    // 2-D points only fit the MLP, and the MLP only fits points.
    const std::string preset = points ? "mlp" : (s.preset == "mlp" ? "tiny" : s.preset.toStdString());
    RunConfig c;   // every field not set here keeps core's default
    c.model = ModelConfig::preset(preset, points ? 2 : space.channels, points ? 0 : space.width,
                                  conditional ? dataset.numClasses() : 0);
    if (text && clip) {
        // Only config.json is read here; the training worker loads the encoder itself.
        const ClipTextConfig encoder = readClipTextConfig(named.clipFolder());
        c.model.useClipText(named.clipFolder(), int(encoder.width), int(encoder.context));
    } else if (text) {
        c.model.useBuiltinText(captionVocabulary(dataset));
    }
    c.schedule.kind = scheduleKindFromString(s.schedule.toStdString());
    c.objective = objectiveFromString(s.objective.toStdString());
    c.train.batchSize = s.batchSize;
    c.train.learningRate = s.learningRate;
    c.train.emaDecay = s.emaDecay;
    c.train.precision = precisionFromString(s.precision.toStdString());
    c.train.classDropProb = s.classDropProb;
    c.data = dataInfoOf(dataset, c.model);
    c.data.space = space;
    c.validate();
    return c;
}

}  // namespace ddpm::ui
