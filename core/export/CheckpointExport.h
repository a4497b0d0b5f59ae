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

// A latent model's autoencoder travels in the same file: its tensors under this prefix
// (latent diffusion's name for it), its configuration as metadata under kAutoencoderPrefix.
inline constexpr char kAutoencoderTensorPrefix[] = "first_stage_model.";
inline constexpr char kAutoencoderPrefix[] = "autoencoder.";

enum class ExportedWeights { Ema, Model };
ExportedWeights exportedWeightsFromString(const std::string& name);   // "ema", "model"
std::string toString(ExportedWeights weights);
std::string formatExact(double value);   // "%.17g": the metadata's numbers read back exactly
const Denoiser& exportedModel(const CheckpointContents& checkpoint, ExportedWeights weights);

// "format" = "pt" (the Hugging Face convention for PyTorch-named weights),
// "ddpm.weights", "ddpm.step", "ddpm.exporter", and every run-configuration
// entry as "run.KEY" (so the checkpoint's config text can be rebuilt from it);
// latent models add "ddpm.latent_scale", "ddpm.held_out_psnr" and "autoencoder.KEY".
std::vector<std::pair<std::string, std::string>> exportMetadata(const CheckpointContents& checkpoint,
                                                                ExportedWeights weights);

// Parameters and buffers under their module paths ("down.0.conv1.weight"), as
// torch.nn.Module.state_dict() names them; a latent model's autoencoder's under
// "first_stage_model.". Written atomically.
void exportSafetensors(const CheckpointContents& checkpoint, ExportedWeights weights, const std::string& path);

// The autoencoder's weights, with "ddpm.kind" = "autoencoder", "ddpm.latent_scale",
// "ddpm.held_out_psnr" and its training configuration as "run.KEY".
void exportAutoencoderSafetensors(const AutoencoderCheckpoint& checkpoint, const std::string& path);

}  // namespace ddpm
