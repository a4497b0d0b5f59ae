#include "training/AutoencoderSource.h"

#include "autoencoder/AutoencoderFile.h"
#include "training/Checkpoint.h"

namespace ddpm {

std::shared_ptr<TrainedAutoencoder> loadAutoencoderFrom(const std::string& path, torch::Device device) {
    if (isAutoencoderCheckpoint(path))
        return std::make_shared<TrainedAutoencoder>(loadAutoencoderCheckpoint(path, device).autoencoder);
    CheckpointContents model = loadCheckpoint(path, device);
    if (!model.autoencoder)
        throw CheckpointError(path, "a pixel model's checkpoint has no autoencoder: give one from 'ddpm train-vae' or a "
                                    "latent model's checkpoint");
    return model.autoencoder;
}

}  // namespace ddpm
