// fuzz-seeds OUT: writes small valid inputs for every fuzz target to OUT/<target>/,
// the corpus libFuzzer starts from and the replay tests read.
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "data/DatasetLoader.h"
#include "export/CheckpointExport.h"
#include "training/Checkpoint.h"
#include "image/Apng.h"
#include "image/ImageGrid.h"
#include "sampling/SamplingParameters.h"
#include "support/TinyClipFolder.h"
#include "util/ArchiveCode.h"
#include "util/ZipDirectory.h"
#include "training/Trainer.h"

namespace fs = std::filesystem;

namespace {

void writeBytes(const fs::path& path, const std::vector<uint8_t>& bytes) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

void appendBigEndian(std::vector<uint8_t>& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(v >> shift));
}

std::vector<uint8_t> gzip(const std::vector<uint8_t>& raw) {
    uLongf size = compressBound(uLong(raw.size())) + 32;
    std::vector<uint8_t> out(size);
    z_stream z{};
    deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);   // +16: gzip wrapper
    z.next_in = const_cast<Bytef*>(raw.data());
    z.avail_in = uInt(raw.size());
    z.next_out = out.data();
    z.avail_out = uInt(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

// Two 28×28 digits-like images: a bar and a ring.
cv::Mat picture(int i) {
    cv::Mat m(28, 28, CV_8UC1, cv::Scalar(0));
    for (int y = 0; y < 28; ++y)
        for (int x = 0; x < 28; ++x) {
            const int dx = x - 14, dy = y - 14, r2 = dx * dx + dy * dy;
            m.at<uint8_t>(y, x) = uint8_t(i == 0 ? (std::abs(dx) < 3 ? 255 : 0) : (r2 > 36 && r2 < 100 ? 255 : 0));
        }
    return m;
}

void writeIdx(const fs::path& out) {
    std::vector<uint8_t> images = {0, 0, 8, 3}, labels = {0, 0, 8, 1};
    appendBigEndian(images, 2);
    appendBigEndian(images, 28);
    appendBigEndian(images, 28);
    appendBigEndian(labels, 2);
    for (int i = 0; i < 2; ++i) {
        const cv::Mat m = picture(i);
        images.insert(images.end(), m.datastart, m.dataend);
        labels.push_back(uint8_t(i));
    }
    writeBytes(out / "idx" / "images-idx3-ubyte", images);
    writeBytes(out / "idx" / "images-idx3-ubyte.gz", gzip(images));
    writeBytes(out / "idx" / "labels-idx1-ubyte", labels);
}

void writeCifar(const fs::path& out) {
    std::vector<uint8_t> records;
    for (int i = 0; i < 2; ++i) {
        records.push_back(uint8_t(i));
        const cv::Mat m = picture(i);
        cv::Mat big;
        cv::resize(m, big, {32, 32});
        for (int channel = 0; channel < 3; ++channel) records.insert(records.end(), big.datastart, big.dataend);
    }
    writeBytes(out / "cifar" / "data_batch_1.bin", records);
}

void writeNpy(const fs::path& out) {
    std::string header = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 28, 28), }";
    while ((10 + header.size() + 1) % 64) header += ' ';
    header += '\n';
    std::vector<uint8_t> bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, uint8_t(header.size()), uint8_t(header.size() >> 8)};
    bytes.insert(bytes.end(), header.begin(), header.end());
    for (int i = 0; i < 2; ++i) {
        const cv::Mat m = picture(i);
        bytes.insert(bytes.end(), m.datastart, m.dataend);
    }
    writeBytes(out / "npy" / "images.npy", bytes);
}

void writeImages(const fs::path& out) {
    cv::Mat colour;
    cv::cvtColor(picture(1), colour, cv::COLOR_GRAY2BGR);
    for (const char* ext : {".png", ".jpg", ".bmp"}) {
        std::vector<uint8_t> bytes;
        cv::imencode(ext, ext[1] == 'j' ? colour : picture(0), bytes);
        writeBytes(out / "image_folder" / (std::string("picture") + ext), bytes);
    }
}

// The first byte picks the file (0 metadata.jsonl, 1 metadata.csv, 2 a sidecar).
void writeCaptions(const fs::path& out) {
    const std::vector<std::pair<char, std::string>> inputs = {
        {0, "{\"file_name\": \"a.png\", \"text\": \"red apple\"}\n{\"file_name\": \"sub/b.png\", \"text\": \"caf\\u00e9\"}\n"},
        {1, "file_name,text\r\na.png,\"a \"\"big\"\", red\ncat\"\r\nsub/b.png,dog\r\n"},
        {2, "a blue bird\n"}};
    for (size_t i = 0; i < inputs.size(); ++i) {
        std::vector<uint8_t> bytes{uint8_t(inputs[i].first)};
        bytes.insert(bytes.end(), inputs[i].second.begin(), inputs[i].second.end());
        writeBytes(out / "captions" / ("input-" + std::to_string(i)), bytes);
    }
}

// Prompts in every script the tokenizer splits differently, and each file of a small CLIP
// folder behind the byte that picks it (fuzz_clip_folder's order).
void writeClip(const fs::path& out) {
    const std::vector<std::string> prompts = {"a thick seven, slanted right!", "Caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9" "e",
                                              "\xe6\x9d\xb1\xe4\xba\xac\xe3\x82\xbf\xe3\x83\xaf\xe3\x83\xbc 2024",
                                              "\xf0\x9f\x8d\x8e\xf0\x9f\x8d\x8f red apple's <|endoftext|> ...?!"};
    for (size_t i = 0; i < prompts.size(); ++i)
        writeBytes(out / "clip_tokenizer" / ("prompt-" + std::to_string(i)), {prompts[i].begin(), prompts[i].end()});
    const fs::path folder = ddpm::test::writeTinyClipFolder((out / "clip-folder-source").string());
    const char* const files[] = {"config.json", "vocab.json", "merges.txt", "model.safetensors", "special_tokens_map.json"};
    for (uint8_t i = 0; i < 5; ++i) {
        std::ifstream in(folder / files[i], std::ios::binary);
        std::vector<uint8_t> bytes{i};
        bytes.insert(bytes.end(), std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        writeBytes(out / "clip_folder" / files[i], bytes);
    }
    fs::remove_all(folder);
}

void writePngs(const fs::path& out) {
    fs::create_directories(out / "png_text");
    ddpm::SamplingParameters p;
    p.classLabel = 3;
    p.guidance = 2;
    p.checkpoint = "model.ckpt";
    ddpm::writePng((out / "png_text" / "samples.png").string(), picture(0), ddpm::toPngText(p, 1000));
    p.classLabel = -1;
    p.prompt = "a thick seven \xe2\x80\x94 caf\xc3\xa9";   // UTF-8: an iTXt chunk
    p.negativePrompt = "thin";
    ddpm::writePng((out / "png_text" / "prompted.png").string(), picture(0), ddpm::toPngText(p, 1000));
    fs::create_directories(out / "apng");
    ddpm::writeApng((out / "apng" / "denoising.png").string(), {picture(0), picture(1)}, 80);
}

void writeCheckpoint(const fs::path& out) {
    const ddpm::Dataset moons = ddpm::loadDataset("toy:moons");
    ddpm::RunConfig run;
    run.model = ddpm::ModelConfig::preset("mlp", 2, 0);
    run.model.mlpHidden = 8;
    run.model.mlpBlocks = 1;
    run.data = ddpm::dataInfoOf(moons, run.model);
    run.train.batchSize = 8;
    ddpm::Trainer trainer(run, moons, torch::kCPU);
    trainer.step();
    fs::create_directories(out / "checkpoint");
    trainer.save((out / "checkpoint" / "model.ckpt").string());
    // The code records of that checkpoint: the declarations the archive-code check must let through.
    fs::create_directories(out / "archive_code");
    int kept = 0;
    for (const ddpm::ZipRecordBytes& record :
         ddpm::verifyZipRecords((out / "checkpoint" / "model.ckpt").string(), ddpm::isArchiveCodeRecord))
        if (kept < 4 && record.name.size() > 3 && record.name.compare(record.name.size() - 3, 3, ".py") == 0)
            writeBytes(out / "archive_code" / ("declarations-" + std::to_string(kept++) + ".py"),
                       std::vector<uint8_t>(record.bytes.begin(), record.bytes.end()));
    // And what it must refuse: a __setstate__, which LibTorch would run while loading.
    const std::string setstate = "class Module(Module):\n  __parameters__ = []\n  format : str\n"
                                 "  def __setstate__(self, state: str) -> None:\n    self.format = state\n";
    writeBytes(out / "archive_code" / "setstate.py", std::vector<uint8_t>(setstate.begin(), setstate.end()));
    fs::create_directories(out / "zip");
    fs::copy_file(out / "checkpoint" / "model.ckpt", out / "zip" / "archive.zip", fs::copy_options::overwrite_existing);
    fs::create_directories(out / "safetensors");
    ddpm::exportSafetensors(ddpm::loadCheckpoint((out / "checkpoint" / "model.ckpt").string(), torch::kCPU),
                            ddpm::ExportedWeights::Ema, (out / "safetensors" / "model.safetensors").string());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: fuzz-seeds OUT\n";
        return 2;
    }
    const fs::path out(argv[1]);
    writeIdx(out);
    writeCifar(out);
    writeNpy(out);
    writeImages(out);
    writeCaptions(out);
    writePngs(out);
    writeCheckpoint(out);
    writeClip(out);
    std::cout << "seed inputs written to " << out.string() << "\n";
    return 0;
}
