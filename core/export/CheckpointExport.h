#pragma once
// A checkpoint's weights for other tools: one set of weights (EMA or raw) with
// the run configuration that explains them, as a safetensors file; likewise an
// autoencoder's.
#include <string>
#include <utility>
#include <vector>

namespace ddpm {

struct AutoencoderCheckpoint;
struct CheckpointContents;
class Denoiser;

enum class ExportedWeights { Ema, Model };
ExportedWeights exportedWeightsFromString(const std::string& name);   // "ema", "model"
std::string toString(ExportedWeights weights);
const Denoiser& exportedModel(const CheckpointContents& checkpoint, ExportedWeights weights);

// "format" = "pt" (the Hugging Face convention for PyTorch-named weights),
// "ddpm.weights", "ddpm.step", "ddpm.exporter", and every run-configuration
// entry as "run.KEY" (so the checkpoint's config text can be rebuilt from it).
std::vector<std::pair<std::string, std::string>> exportMetadata(const CheckpointContents& checkpoint,
                                                                ExportedWeights weights);

// Parameters and buffers under their module paths ("down.0.conv1.weight"), as
// torch.nn.Module.state_dict() names them. Written atomically.
void exportSafetensors(const CheckpointContents& checkpoint, ExportedWeights weights, const std::string& path);

// The autoencoder's weights, with "ddpm.kind" = "autoencoder", "ddpm.latent_scale",
// "ddpm.held_out_psnr" and its training configuration as "run.KEY".
void exportAutoencoderSafetensors(const AutoencoderCheckpoint& checkpoint, const std::string& path);

}  // namespace ddpm
