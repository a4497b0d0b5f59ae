#include "training/AutoencoderSource.h"

#include <exception>

#include "autoencoder/AutoencoderFile.h"
#include "training/Checkpoint.h"
#include "util/DisplayPath.h"

namespace ddpm {

std::shared_ptr<TrainedAutoencoder> loadAutoencoderFrom(const std::string& path, torch::Device device) {
    std::exception_ptr notAutoencoder;
    try {
        return std::make_shared<TrainedAutoencoder>(loadAutoencoderCheckpoint(path, device).autoencoder);
    } catch (const CheckpointError&) {
        notAutoencoder = std::current_exception();
    }
    // Not a readable autoencoder: a diffusion model's checkpoint is read for its autoencoder;
    // anything else keeps the autoencoder reader's reason (a classifier, a damaged file).
    try {
        readCheckpointProgress(path);
    } catch (const CheckpointError&) {
        std::rethrow_exception(notAutoencoder);
    }
    CheckpointContents model = loadCheckpoint(path, device);
    if (!model.autoencoder)
        throw CheckpointError(displayPath(path), "a pixel model's checkpoint has no autoencoder: give one from "
                                                 "'ddpm train-vae' or a latent model's checkpoint");
    return model.autoencoder;
}

}  // namespace ddpm
