#include "autoencoder/LatentCodec.h"

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <zlib.h>

#include "image/ImageTensors.h"
#include "models/ModuleState.h"
#include "util/ArchiveFile.h"
#include "util/Cancelled.h"
#include "util/ResourcePaths.h"

namespace ddpm {

namespace {

// Images through the encoder or decoder at once. At 64 px with a base of 32 channels a
// batch of 16 keeps each activation under the 32 MiB that stay in the process
// (util/MemoryAllocator.h): 64 at once encoded the emoji 5x slower, in page faults.
constexpr int64_t kCodecBatch = 16;
constexpr const char* kCacheFormat = "ddpm-studio-latents 1";

torch::Device deviceOf(TrainedAutoencoder& autoencoder) { return autoencoder.model->parameters().front().device(); }

uint32_t crcOf(const void* bytes, size_t size, uint32_t crc = 0) {
    const auto* p = static_cast<const Bytef*>(bytes);
    while (size > 0) {   // zlib takes at most 4 GiB at a time
        const auto n = uInt(std::min<size_t>(size, 1u << 30));
        crc = uint32_t(crc32(crc, p, n));
        p += n;
        size -= n;
    }
    return crc;
}

// What the cached latents depend on: the autoencoder's weights and scale, and the images' bytes.
std::string cacheKey(TrainedAutoencoder& autoencoder, const torch::Tensor& images) {
    char key[160];
    std::snprintf(key, sizeof key, "%s weights %08x scale %.17g images %lld crc %08x", kCacheFormat,
                  moduleStateChecksum(*autoencoder.model), autoencoder.latentScale, (long long)images.size(0),
                  crcOf(images.data_ptr(), size_t(images.numel())));
    return key;
}

std::filesystem::path cacheFile(const std::string& key) {
    char name[32];
    std::snprintf(name, sizeof name, "%08x.latents", crcOf(key.data(), key.size()));
    return cacheDirectory() / "latents" / name;
}

// The cached latents for `key`, or an undefined tensor when there are none that fit.
torch::Tensor readCachedLatents(const std::filesystem::path& file, const std::string& key,
                                const std::vector<int64_t>& shape) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) return {};
    try {
        auto archive = readArchive(file.string(), "latent cache");
        c10::IValue storedKey;
        torch::Tensor latents;
        if (!archive.try_read("key", storedKey) || !storedKey.isString() || storedKey.toStringRef() != key) return {};
        archive.read("latents", latents);
        if (latents.sizes() != c10::IntArrayRef(shape) || latents.scalar_type() != torch::kFloat) return {};
        return latents;
    } catch (const std::exception&) {
        return {};   // damaged: encoded again and rewritten
    }
}

}  // namespace

SampleSpace latentSpaceOf(const AutoencoderConfig& c) {
    const int r = c.latentResolution();
    return SampleSpace::latents(c.latentChannels, r, r, SampleSpace::pixels(c.inChannels, c.resolution, c.resolution));
}

void checkAutoencoderFits(const AutoencoderConfig& c, const Dataset& d) {
    if (d.isPoints()) throw std::invalid_argument("an autoencoder encodes images; " + d.name + " holds 2-D points");
    if (d.channels != c.inChannels || d.height != c.resolution || d.width != c.resolution)
        throw std::invalid_argument("the autoencoder takes " + latentSpaceOf(c).pictureSpace().describe() + ", " +
                                    d.name + " has " + sampleSpaceOf(d).describe());
}

torch::Tensor encodeImages(TrainedAutoencoder& autoencoder, const torch::Tensor& images) {
    torch::NoGradGuard noGrad;
    const auto device = deviceOf(autoencoder);
    std::vector<torch::Tensor> latents;
    for (int64_t begin = 0; begin < images.size(0); begin += kCodecBatch) {
        const auto x = toSignedUnit(images.slice(0, begin, begin + kCodecBatch).to(device));   // (b,C,R,R)
        latents.push_back(autoencoder.model->encode(x).mean * autoencoder.latentScale);       // (b,Z,r,r)
    }
    return torch::cat(latents);
}

torch::Tensor decodeLatents(TrainedAutoencoder& autoencoder, const torch::Tensor& latents) {
    torch::NoGradGuard noGrad;
    const auto device = deviceOf(autoencoder);
    std::vector<torch::Tensor> pictures;
    for (int64_t begin = 0; begin < latents.size(0); begin += kCodecBatch) {
        const auto z = latents.slice(0, begin, begin + kCodecBatch).to(device, torch::kFloat);   // (b,Z,r,r)
        pictures.push_back(autoencoder.model->decode(z / autoencoder.latentScale).clamp(-1, 1));  // (b,C,R,R)
    }
    return torch::cat(pictures).to(latents.device());
}

torch::Tensor picturesOf(const torch::Tensor& samples, const SampleSpace& space, TrainedAutoencoder* autoencoder) {
    if (!space.isLatent()) return samples;
    if (!autoencoder) throw std::logic_error("latent samples need their autoencoder to be shown");
    return decodeLatents(*autoencoder, samples);
}

torch::Tensor datasetLatents(TrainedAutoencoder& autoencoder, const Dataset& dataset, int64_t count,
                             const EncodeProgress& onProgress) {
    checkAutoencoderFits(autoencoder.model->config(), dataset);
    const auto images = datasetImages(dataset, 0, count).contiguous();   // (n,C,R,R) uint8
    const SampleSpace space = latentSpaceOf(autoencoder.model->config());
    const std::string key = cacheKey(autoencoder, images);
    const std::filesystem::path file = cacheFile(key);
    if (auto cached = readCachedLatents(file, key, space.batchShape(count)); cached.defined()) return cached;

    std::vector<torch::Tensor> latents;
    for (int64_t begin = 0; begin < count; begin += kCodecBatch) {
        if (onProgress && !onProgress(begin, count)) throw Cancelled();
        latents.push_back(encodeImages(autoencoder, images.slice(0, begin, begin + kCodecBatch)).cpu());
    }
    if (onProgress && !onProgress(count, count)) throw Cancelled();
    auto all = latents.empty() ? torch::zeros(space.batchShape(0)) : torch::cat(latents);   // (n,Z,r,r)
    try {
        std::filesystem::create_directories(file.parent_path());
        torch::serialize::OutputArchive archive;
        archive.write("key", c10::IValue(key));
        archive.write("latents", all);
        writeArchiveAtomically(file.string(), archive);
    } catch (const std::exception&) {
        // A cache that cannot be written costs the next run an encoding, nothing else.
    }
    return all;
}

}  // namespace ddpm
