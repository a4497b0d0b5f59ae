#include "TinyClipFolder.h"

#include <filesystem>
#include <fstream>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/types.h>

#include "conditioning/ClipTokenizer.h"
#include "export/Safetensors.h"
#include "util/JsonText.h"

namespace fs = std::filesystem;

namespace ddpm::test {

namespace {

void writeText(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

std::string writeTinyClipFolder(const std::string& folder) {
    constexpr int64_t kWidth = 32, kIntermediate = 64, kHeads = 4, kLayers = 2, kContext = 24, kProjection = 16;
    fs::create_directories(folder);
    // The vocabulary in CLIP's order: the byte alphabet, the same ending a word, the merges' results, start, end.
    const std::vector<std::string>& bytes = ClipTokenizer::byteSymbols();
    std::vector<std::string> tokens(bytes.begin(), bytes.end());
    for (const std::string& b : bytes) tokens.push_back(b + "</w>");
    std::string merges = "#version: 0.2\n";
    // Each word merged left to right into one token, so these words are one token each.
    for (const std::string word : {"a", "bright", "dim", "square", "red", "apple", "the", "thick", "seven"}) {
        std::string joined(1, word[0]);
        for (size_t i = 1; i < word.size(); ++i) {
            const std::string next = std::string(1, word[i]) + (i + 1 == word.size() ? "</w>" : "");
            const std::string merged = joined + next;
            if (std::find(tokens.begin(), tokens.end(), merged) == tokens.end()) {
                merges += joined + " " + next + "\n";
                tokens.push_back(merged);
            }
            joined = merged;
        }
    }
    tokens.push_back("<|startoftext|>");
    tokens.push_back("<|endoftext|>");
    std::string vocab = "{";
    for (size_t i = 0; i < tokens.size(); ++i) vocab += (i ? ", " : "") + jsonString(tokens[i]) + ": " + std::to_string(i);
    vocab += "}";
    writeText(fs::path(folder) / "vocab.json", vocab);
    writeText(fs::path(folder) / "merges.txt", merges);
    writeText(fs::path(folder) / "special_tokens_map.json",
              "{\"bos_token\": \"<|startoftext|>\", \"eos_token\": \"<|endoftext|>\", \"pad_token\": \"<|endoftext|>\", "
              "\"unk_token\": \"<|endoftext|>\"}");

    const int64_t V = int64_t(tokens.size()), D = kWidth, F = kIntermediate;
    writeText(fs::path(folder) / "config.json",
              "{\"architectures\": [\"CLIPTextModelWithProjection\"], \"hidden_act\": \"quick_gelu\", \"hidden_size\": " +
                  std::to_string(D) + ", \"intermediate_size\": " + std::to_string(F) +
                  ", \"layer_norm_eps\": 1e-05, \"max_position_embeddings\": " + std::to_string(kContext) +
                  ", \"num_attention_heads\": " + std::to_string(kHeads) + ", \"num_hidden_layers\": " +
                  std::to_string(kLayers) + ", \"projection_dim\": " + std::to_string(kProjection) +
                  ", \"vocab_size\": " + std::to_string(V) + "}");

    auto generator = at::make_generator<at::CPUGeneratorImpl>(0);
    std::vector<NamedTensor> weights;
    const auto add = [&](const std::string& name, std::vector<int64_t> sizes, double mean, double scale) {
        weights.push_back({name, torch::randn(sizes, generator, torch::kFloat) * scale + mean});
    };
    add("text_model.embeddings.token_embedding.weight", {V, D}, 0, 0.5);
    add("text_model.embeddings.position_embedding.weight", {kContext, D}, 0, 0.5);
    for (int64_t i = 0; i < kLayers; ++i) {
        const std::string name = "text_model.encoder.layers." + std::to_string(i) + ".";
        for (const char* norm : {"layer_norm1", "layer_norm2"}) {
            add(name + norm + ".weight", {D}, 1, 0.1);
            add(name + norm + ".bias", {D}, 0, 0.1);
        }
        for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
            add(name + "self_attn." + proj + ".weight", {D, D}, 0, 0.2);
            add(name + "self_attn." + proj + ".bias", {D}, 0, 0.1);
        }
        add(name + "mlp.fc1.weight", {F, D}, 0, 0.2);
        add(name + "mlp.fc1.bias", {F}, 0, 0.1);
        add(name + "mlp.fc2.weight", {D, F}, 0, 0.2);
        add(name + "mlp.fc2.bias", {D}, 0, 0.1);
    }
    add("text_model.final_layer_norm.weight", {D}, 1, 0.1);
    add("text_model.final_layer_norm.bias", {D}, 0, 0.1);
    add("text_projection.weight", {kProjection, D}, 0, 0.2);
    writeSafetensors((fs::path(folder) / "model.safetensors").string(), weights, {{"format", "pt"}});
    return folder;
}

}  // namespace ddpm::test
