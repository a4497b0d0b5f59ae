#include "conditioning/ClipTextEncoder.h"

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "util/DisplayPath.h"

namespace fs = std::filesystem;

namespace ddpm {

namespace {

constexpr int64_t kEncodeBatch = 64;
constexpr size_t kKeptEncoders = 2;
constexpr int64_t kMaxFeatureBytes = 8ll << 30;   // a run's distinct captions, say 100,000 × 20 tokens × 768
const char* const kFolderFiles[] = {"config.json", "model.safetensors", "vocab.json", "merges.txt",
                                    "special_tokens_map.json", "tokenizer_config.json"};

}  // namespace

std::shared_ptr<const ClipTextEncoder> ClipTextEncoder::load(const std::string& folder) {
    const ClipTextConfig config = readClipTextConfig(folder);
    ClipTokenizer tokenizer = ClipTokenizer::fromFolder(folder);
    if (tokenizer.largestId() >= config.vocabulary)
        throw std::runtime_error(escapeNonUtf8((fs::path(folder) / "vocab.json").string()) + ": token id " +
                                 std::to_string(tokenizer.largestId()) + " is beyond the model's vocab_size of " +
                                 std::to_string(config.vocabulary));
    const std::string weights = (fs::path(folder) / "model.safetensors").string();
    if (!fs::exists(weights))
        throw std::runtime_error(escapeNonUtf8(weights) + ": no such file (only safetensors weights are read: they cannot run code)");
    return std::make_shared<const ClipTextEncoder>(std::move(tokenizer), loadClipTextModel(config, weights));
}

namespace {

// What the folder's files are now (sizes and modification times): a change loads them again.
std::string stampOf(const std::string& folder) {
    std::string stamp;
    for (const char* name : kFolderFiles) {
        std::error_code ec;
        const fs::path path = fs::path(folder) / name;
        const auto size = fs::file_size(path, ec);
        const auto time = fs::last_write_time(path, ec);
        stamp += ec ? "-;" : std::to_string(size) + "@" + std::to_string(time.time_since_epoch().count()) + ";";
    }
    return stamp;
}

}  // namespace

ClipTextEncoder::ClipTextEncoder(ClipTokenizer tokenizer, ClipTextModel model)
    : tokenizer_(std::move(tokenizer)), model_(std::move(model)) {}

std::shared_ptr<const ClipTextEncoder> ClipTextEncoder::open(const std::string& folder) {
    struct Loaded {
        std::string folder, stamp;
        std::shared_ptr<const ClipTextEncoder> encoder;
    };
    static std::mutex mutex;
    static std::vector<Loaded> loaded;   // the most recently opened last
    std::lock_guard<std::mutex> lock(mutex);
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(folder, ec);
    const std::string key = ec ? folder : canonical.string(), stamp = stampOf(folder);
    const auto found = std::find_if(loaded.begin(), loaded.end(), [&](const Loaded& l) { return l.folder == key; });
    if (found != loaded.end()) {
        Loaded entry = *found;
        loaded.erase(found);
        if (entry.stamp == stamp) {
            loaded.push_back(entry);
            return entry.encoder;
        }
    }
    auto encoder = load(folder);
    if (loaded.size() == kKeptEncoders) loaded.erase(loaded.begin());
    loaded.push_back({key, stamp, encoder});
    return encoder;
}

ClipEncoding ClipTextEncoder::encode(const std::vector<std::string>& prompts, int64_t context, bool realTokensOnly) const {
    if (context < 3 || context > config().context)
        throw std::invalid_argument("a CLIP context must be 3 … " + std::to_string(config().context) + " tokens");
    const int64_t N = int64_t(prompts.size());
    ClipEncoding out;
    out.ids = torch::empty({N, context}, torch::kInt64);
    out.mask = torch::empty({N, context}, torch::kBool);
    auto ends = torch::empty({N}, torch::kInt64);
    auto ids = out.ids.accessor<int64_t, 2>();
    auto mask = out.mask.accessor<bool, 2>();
    auto endAt = ends.accessor<int64_t, 1>();
    for (int64_t n = 0; n < N; ++n) {
        out.tokenized.push_back(tokenizer_.encode(prompts[size_t(n)], size_t(context)));
        const TokenizedPrompt& t = out.tokenized.back();
        int64_t real = 0;
        for (int64_t i = 0; i < context; ++i) {
            ids[n][i] = t.ids[size_t(i)];
            mask[n][i] = t.mask[size_t(i)] != 0;
            real += t.mask[size_t(i)];
        }
        endAt[n] = real - 1;
    }
    const auto lengthOf = [&](int64_t begin, int64_t end) {   // positions to run for prompts [begin, end)
        return realTokensOnly && end > begin ? ends.slice(0, begin, end).max().item<int64_t>() + 1 : context;
    };
    const int64_t P = lengthOf(0, N);
    const int64_t width = config().width, pooledWidth = model_->hasProjection() ? config().projection : width;
    if (double(N) * double(P) * double(width) * 4 > double(kMaxFeatureBytes))
        throw std::invalid_argument("the features of " + std::to_string(N) + " prompts of up to " + std::to_string(P) +
                                    " tokens would take more than " + std::to_string(kMaxFeatureBytes >> 30) +
                                    " GB: shorten the context (--text-context)");
    out.hidden = torch::zeros({N, P, width});
    out.pooled = torch::empty({N, pooledWidth});
    torch::NoGradGuard noGrad;
    ClipTextModel model = model_;   // the holder's forward is not const; the weights are never changed
    for (int64_t begin = 0; begin < N; begin += kEncodeBatch) {
        const int64_t end = std::min(N, begin + kEncodeBatch), L = lengthOf(begin, end);
        const auto hidden = model->forward(out.ids.slice(0, begin, end).slice(1, 0, L));   // (b,L,D)
        out.hidden.slice(0, begin, end).slice(1, 0, L).copy_(
            realTokensOnly ? hidden * out.mask.slice(0, begin, end).slice(1, 0, L).unsqueeze(-1) : hidden);
        out.pooled.slice(0, begin, end).copy_(model->pooled(hidden, ends.slice(0, begin, end)));   // (b,P)
    }
    return out;
}

}  // namespace ddpm
