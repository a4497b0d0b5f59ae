#pragma once
// CLIP's text transformer as Hugging Face's CLIPTextModel computes it, loaded
// from the user's model.safetensors and never trained: token and position
// embeddings, pre-norm layers of causally masked multi-head self-attention and a
// quick-GELU (or GELU) MLP, a final layer norm; the pooled output is the end
// token's feature, through text_projection when the file has one.
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

namespace ddpm {

struct ClipTextConfig {
    int64_t vocabulary = 49408;
    int64_t width = 512;              // hidden_size
    int64_t intermediate = 2048;      // intermediate_size
    int64_t heads = 8;
    int64_t layers = 12;
    int64_t context = 77;             // max_position_embeddings
    bool quickGelu = true;            // hidden_act: quick_gelu, or gelu
    double layerNormEps = 1e-5;
    int64_t projection = 512;         // projection_dim (used when the weights have text_projection)

    // A config.json of a CLIPModel (its "text_config") or of a CLIPTextModel[WithProjection];
    // absent fields take Hugging Face's defaults. Throws std::runtime_error naming path and the field.
    static ClipTextConfig fromJson(const std::string& text, const std::string& path);
};

// FOLDER/config.json's text model (std::runtime_error naming the folder or the file when either
// is missing or wrong).
ClipTextConfig readClipTextConfig(const std::string& folder);

class ClipTextModelImpl : public torch::nn::Module {
public:
    // Weights as LibTorch initialises them, until loadClipTextModel copies the file's over
    // them; withProjection adds text_projection.
    ClipTextModelImpl(const ClipTextConfig& config, bool withProjection);
    // ids (B,L) int64, L ≤ context -> (B,L,width): the last hidden state after the final layer norm.
    torch::Tensor forward(const torch::Tensor& ids);
    // hidden (B,L,width), endPositions (B) int64 -> (B,projection) or (B,width) without a projection.
    torch::Tensor pooled(const torch::Tensor& hidden, const torch::Tensor& endPositions);
    const ClipTextConfig& config() const { return config_; }
    bool hasProjection() const { return !projection_.is_empty(); }

private:
    struct Layer {
        torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
        torch::nn::Linear q{nullptr}, k{nullptr}, v{nullptr}, out{nullptr}, fc1{nullptr}, fc2{nullptr};
    };
    // x (B,L,D), causal (L,L) additive mask -> (B,L,D)
    torch::Tensor attend(Layer& layer, const torch::Tensor& x, const torch::Tensor& causal);

    ClipTextConfig config_;
    torch::nn::Embedding tokens_{nullptr}, positions_{nullptr};
    std::vector<Layer> layers_;
    torch::nn::LayerNorm finalNorm_{nullptr};
    torch::nn::Linear projection_{nullptr};
};
TORCH_MODULE(ClipTextModel);

// The model of `config` with the weights of the safetensors file at path (a CLIPModel's,
// whose vision weights are ignored, or a CLIPTextModel[WithProjection]'s) by their Hugging
// Face names ("text_model.encoder.layers.0.self_attn.q_proj.weight", …), frozen, in eval
// mode. Throws std::runtime_error naming path and the tensor that is missing, mis-shaped
// or not floating point.
ClipTextModel loadClipTextModel(const ClipTextConfig& config, const std::string& path);

}  // namespace ddpm
