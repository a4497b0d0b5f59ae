#include "conditioning/ClipTextModel.h"

#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>

#include <torch/nn/functional/activation.h>

#include "export/Safetensors.h"
#include "util/DisplayPath.h"
#include "util/JsonValue.h"
#include "util/TextFile.h"

namespace ddpm {

ClipTextConfig ClipTextConfig::fromJson(const std::string& text, const std::string& path) {
    const auto fail = [&](const std::string& what) { throw std::runtime_error(escapeNonUtf8(path) + ": " + what); };
    JsonValue json;
    try {
        json = parseJson(text);
    } catch (const std::runtime_error& e) {
        fail(e.what());
    }
    if (!json.isObject()) fail("not a JSON object");
    const JsonValue* textConfig = json.find("text_config");
    const JsonValue& fields = textConfig && textConfig->isObject() ? *textConfig : json;
    ClipTextConfig c;
    const auto integer = [&](const JsonValue& from, const char* key, int64_t& value, int64_t least, int64_t most) {
        const JsonValue* v = from.find(key);
        if (!v) return;
        try {
            const uint64_t n = v->asUint64();
            if (n < uint64_t(least) || n > uint64_t(most)) throw std::runtime_error("");
            value = int64_t(n);
        } catch (const std::runtime_error&) {
            fail(std::string(key) + " must be a whole number in " + std::to_string(least) + " … " + std::to_string(most));
        }
    };
    integer(fields, "vocab_size", c.vocabulary, 3, 10000000);
    integer(fields, "hidden_size", c.width, 8, 8192);
    integer(fields, "intermediate_size", c.intermediate, 1, 65536);
    integer(fields, "num_attention_heads", c.heads, 1, 256);
    integer(fields, "num_hidden_layers", c.layers, 1, 96);
    integer(fields, "max_position_embeddings", c.context, 3, 4096);
    // A CLIPModel keeps projection_dim beside text_config; a CLIPTextModelWithProjection in its own fields.
    integer(json.find("projection_dim") ? json : fields, "projection_dim", c.projection, 1, 65536);
    if (c.width % c.heads) fail("num_attention_heads must divide hidden_size");
    if (const JsonValue* act = fields.find("hidden_act")) {
        const std::string name = act->isString() ? act->asString() : "";
        if (name != "quick_gelu" && name != "gelu") fail("hidden_act must be quick_gelu or gelu");
        c.quickGelu = name == "quick_gelu";
    }
    if (const JsonValue* eps = fields.find("layer_norm_eps")) {
        try {
            c.layerNormEps = eps->asDouble();
        } catch (const std::runtime_error&) {
            fail("layer_norm_eps must be a number");
        }
        if (!(c.layerNormEps > 0 && c.layerNormEps < 1)) fail("layer_norm_eps must be in (0, 1)");
    }
    return c;
}

ClipTextConfig readClipTextConfig(const std::string& folder) {
    if (!std::filesystem::is_directory(folder))
        throw std::runtime_error(escapeNonUtf8(folder) + ": not a folder (a CLIP model's, from Hugging Face)");
    const std::string path = (std::filesystem::path(folder) / "config.json").string();
    return ClipTextConfig::fromJson(readTextFile(path, 16ull << 20), path);
}

ClipTextModelImpl::ClipTextModelImpl(const ClipTextConfig& config, bool withProjection) : config_(config) {
    const int64_t D = config_.width;
    const auto norm = [&](const std::string& name) {
        return register_module(name, torch::nn::LayerNorm(torch::nn::LayerNormOptions({D}).eps(config_.layerNormEps)));
    };
    tokens_ = register_module("token_embedding", torch::nn::Embedding(config_.vocabulary, D));
    positions_ = register_module("position_embedding", torch::nn::Embedding(config_.context, D));
    for (int64_t i = 0; i < config_.layers; ++i) {
        const std::string name = "layer" + std::to_string(i) + "_";
        Layer layer;
        layer.norm1 = norm(name + "layer_norm1");
        layer.q = register_module(name + "q_proj", torch::nn::Linear(D, D));
        layer.k = register_module(name + "k_proj", torch::nn::Linear(D, D));
        layer.v = register_module(name + "v_proj", torch::nn::Linear(D, D));
        layer.out = register_module(name + "out_proj", torch::nn::Linear(D, D));
        layer.norm2 = norm(name + "layer_norm2");
        layer.fc1 = register_module(name + "fc1", torch::nn::Linear(D, config_.intermediate));
        layer.fc2 = register_module(name + "fc2", torch::nn::Linear(config_.intermediate, D));
        layers_.push_back(layer);
    }
    finalNorm_ = norm("final_layer_norm");
    if (withProjection)
        projection_ = register_module("text_projection",
                                      torch::nn::Linear(torch::nn::LinearOptions(D, config_.projection).bias(false)));
    for (auto& p : parameters()) p.set_requires_grad(false);   // frozen
}

namespace {

// Every weight's Hugging Face name and shape, in the order the module holds them.
std::vector<std::pair<std::string, std::vector<int64_t>>> weightShapes(const ClipTextConfig& c, bool withProjection) {
    const int64_t D = c.width, F = c.intermediate;
    std::vector<std::pair<std::string, std::vector<int64_t>>> shapes = {
        {"text_model.embeddings.token_embedding.weight", {c.vocabulary, D}},
        {"text_model.embeddings.position_embedding.weight", {c.context, D}}};
    for (int64_t i = 0; i < c.layers; ++i) {
        const std::string name = "text_model.encoder.layers." + std::to_string(i) + ".";
        const auto add = [&](const std::string& module, int64_t out, int64_t in) {
            if (in > 0) shapes.push_back({name + module + ".weight", {out, in}});
            else shapes.push_back({name + module + ".weight", {out}});
            shapes.push_back({name + module + ".bias", {out}});
        };
        add("layer_norm1", D, 0);
        for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) add(std::string("self_attn.") + proj, D, D);
        add("layer_norm2", D, 0);
        add("mlp.fc1", F, D);
        add("mlp.fc2", D, F);
    }
    shapes.push_back({"text_model.final_layer_norm.weight", {D}});
    shapes.push_back({"text_model.final_layer_norm.bias", {D}});
    if (withProjection) shapes.push_back({"text_projection.weight", {c.projection, D}});
    return shapes;
}

}  // namespace

ClipTextModel loadClipTextModel(const ClipTextConfig& config, const std::string& path) {
    const SafetensorsFile file = readSafetensors(path);
    std::map<std::string, const torch::Tensor*> byName;
    for (const NamedTensor& t : file.tensors) byName[t.name] = &t.tensor;
    const bool withProjection = byName.count("text_projection.weight") > 0;
    const auto fail = [&](const std::string& what) { throw std::runtime_error(escapeNonUtf8(path) + ": " + what); };
    // Every tensor is checked before the model is made, so config.json cannot ask for more memory than the file holds.
    const auto shapes = weightShapes(config, withProjection);
    std::vector<torch::Tensor> weights;
    for (const auto& [name, shape] : shapes) {
        const auto found = byName.find(name);
        if (found == byName.end()) fail("the tensor " + name + " is missing");
        const torch::Tensor& t = *found->second;
        if (t.sizes() != torch::IntArrayRef(shape)) {
            std::ostringstream what;
            what << "the tensor " << name << " is " << t.sizes() << ", config.json makes it " << torch::IntArrayRef(shape);
            fail(what.str());
        }
        if (!t.is_floating_point()) fail("the tensor " + name + " is not floating point");
        weights.push_back(t);
    }
    ClipTextModel model(config, withProjection);
    torch::NoGradGuard noGrad;
    const auto parameters = model->parameters();   // registration order: that of weightShapes
    for (size_t i = 0; i < weights.size(); ++i) {
        if (parameters[i].sizes() != weights[i].sizes()) throw std::logic_error("the CLIP module's weights are out of order");
        parameters[i].copy_(weights[i].to(torch::kFloat));
    }
    model->eval();
    return model;
}

torch::Tensor ClipTextModelImpl::attend(Layer& layer, const torch::Tensor& x, const torch::Tensor& causal) {
    const int64_t B = x.size(0), L = x.size(1), H = config_.heads, d = config_.width / H;
    const auto heads = [&](const torch::Tensor& t) { return t.view({B, L, H, d}).transpose(1, 2); };   // (B,H,L,d)
    const auto q = heads(layer.q->forward(x) * (1.0 / std::sqrt(double(d))));
    const auto k = heads(layer.k->forward(x));
    const auto v = heads(layer.v->forward(x));
    const auto weights = torch::softmax(torch::matmul(q, k.transpose(-2, -1)) + causal, -1);   // (B,H,L,L)
    const auto mixed = torch::matmul(weights, v).transpose(1, 2).reshape({B, L, config_.width});   // (B,L,D)
    return layer.out->forward(mixed);
}

torch::Tensor ClipTextModelImpl::forward(const torch::Tensor& ids) {
    const int64_t L = ids.size(1);
    if (L > config_.context)
        throw std::invalid_argument("CLIP text model: " + std::to_string(L) + " tokens, more than its " +
                                    std::to_string(config_.context) + " positions");
    const auto options = torch::TensorOptions().device(ids.device());
    auto x = tokens_->forward(ids) + positions_->forward(torch::arange(L, options.dtype(torch::kInt64)));   // (B,L,D)
    // Each token sees itself and the tokens before it.
    const auto causal = torch::full({L, L}, -std::numeric_limits<float>::infinity(), options.dtype(torch::kFloat)).triu(1);
    for (Layer& layer : layers_) {
        x = x + attend(layer, layer.norm1->forward(x), causal);
        auto h = layer.fc1->forward(layer.norm2->forward(x));
        h = config_.quickGelu ? h * torch::sigmoid(1.702 * h) : torch::gelu(h);
        x = x + layer.fc2->forward(h);
    }
    return finalNorm_->forward(x);
}

torch::Tensor ClipTextModelImpl::pooled(const torch::Tensor& hidden, const torch::Tensor& endPositions) {
    const auto rows = torch::arange(hidden.size(0), torch::TensorOptions().dtype(torch::kInt64).device(hidden.device()));
    const auto ends = hidden.index({rows, endPositions.to(hidden.device())});   // (B,D)
    return projection_ ? projection_->forward(ends) : ends;
}

}  // namespace ddpm
