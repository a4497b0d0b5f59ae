#include "generation/SamplingWorker.h"

#include <QFileInfo>
#include <algorithm>
#include <set>
#include <torch/nn/functional/upsampling.h>
#include <torch/torch.h>

#include "common/TensorImage.h"
#include "autoencoder/LatentCodec.h"
#include "data/CaptionWords.h"
#include "data/EmojiSet.h"
#include "data/GeneratedCaptions.h"
#include "data/ToyDatasets.h"
#include "diffusion/SampleSpaceTensors.h"
#include "sampling/Sampler.h"
#include "training/Checkpoint.h"
#include "util/Cancelled.h"

namespace ddpm::ui {

namespace {

constexpr int kGridPadding = 1;
constexpr int64_t kBackdropPoints = 2000;   // toys: training data drawn behind the samples

// Two prompts that differ in one word, for the controls' placeholders: the built-in sets'
// caption words ("a thick seven", "a thin seven"; "a light sneaker"), emoji names ("red apple").
// A built-in vocabulary must hold every word (a folder of the user's may bear any name);
// CLIP reads any text. Empty otherwise: the controls then say what prompts are.
QStringList examplePromptsOf(const ddpm::RunConfig& config) {
    const ddpm::TextConfig& text = config.model.text;
    const std::string& data = config.data.name;
    std::vector<std::string> prompts;
    if (ddpm::isEmojiSetName(data)) {
        prompts = {"red apple", "green apple"};
    } else if (data == "mnist" || data == "fashion-mnist") {
        // The second attribute (stroke thickness; lightness) of the eighth class (seven; sneaker).
        const auto scheme = data == "mnist" ? ddpm::CaptionScheme::Digits : ddpm::CaptionScheme::Clothes;
        const std::vector<ddpm::CaptionAttribute> attributes = ddpm::captionAttributes(scheme);
        const std::string className = ddpm::captionClassNames(scheme).at(7);
        for (const char* word : {attributes.at(1).high, attributes.at(1).low}) {
            std::vector<std::string> words(attributes.size());
            words[1] = word;
            prompts.push_back(ddpm::captionPhrase(scheme, className, words));
        }
    }
    const std::set<std::string> known(text.words.begin(), text.words.end());
    QStringList examples;
    for (const std::string& prompt : prompts) {
        const std::vector<std::string> words = ddpm::captionWords(prompt);
        if (!text.usesClip() && !std::all_of(words.begin(), words.end(), [&](const std::string& w) { return known.count(w); }))
            return {};
        examples << QString::fromStdString(prompt);
    }
    return text.enabled() ? examples : QStringList();
}

ModelSummary summaryOf(const QString& path, const ddpm::RunConfig& config) {
    ModelSummary s;
    s.path = path;
    s.space = config.data.space.pictureSpace();
    s.timesteps = config.schedule.timesteps;
    s.numClasses = config.model.numClasses;
    for (const std::string& name : config.data.classNames) s.classNames << QString::fromStdString(name);
    for (const std::string& word : config.model.text.words) s.promptWords << QString::fromStdString(word);
    if (config.model.text.usesClip())
        s.clipTokenizer = std::make_shared<const ddpm::ClipTokenizer>(ddpm::ClipTokenizer::fromFolder(config.model.text.clipFolder()));
    s.promptContext = config.model.text.context;
    s.examplePrompts = examplePromptsOf(config);
    s.description = QStringLiteral("%1 · %2 schedule, T = %3 · trained on %4")
                        .arg(QString::fromStdString(config.model.describe()),
                             QString::fromStdString(ddpm::toString(config.schedule.kind)))
                        .arg(config.schedule.timesteps)
                        .arg(QString::fromStdString(config.data.name));
    if (config.data.space.isLatent())
        s.description += QStringLiteral(" · on %1").arg(QString::fromStdString(config.data.space.describe()));
    // A built-in toy's data is regenerated, so the samples can be drawn over it.
    const std::string name = config.data.name;
    const auto toys = ddpm::toyDatasetNames();
    if (s.space.isPoints() && name.rfind("toy:", 0) == 0 && std::count(toys.begin(), toys.end(), name.substr(4))) {
        const ddpm::Dataset data = ddpm::makeToyDataset(name.substr(4), kBackdropPoints);
        s.dataPoints = toPoints(ddpm::storedItems(data, 0, data.count, s.space));   // (N,2)
    }
    return s;
}

// Every k-th step so that all kept frames (x_t and x̂0 grids) fit the budget.
int frameStride(const ddpm::SampleSpace& space, int64_t count, int totalSteps) {
    const int64_t side = space.isPoints() ? 0 : int64_t(gridColumns(count)) * (space.height + kGridPadding) + kGridPadding;
    const int64_t frameBytes = std::max<int64_t>(1, 2 * side * side * space.channels + 32 * count);
    const int64_t affordable = std::max<int64_t>(2, SamplingWorker::kFrameBudgetBytes / frameBytes);
    return int(std::max<int64_t>(1, (totalSteps + affordable - 1) / affordable));
}

// pictures (B,C,H,W) in [-1,1] (x̂0), the maps of the model's last forward, token k ->
// (B,3,H,W) in [-1,1]: x̂0 in grey under the token's attention in orange (each picture's
// own range stretched to full strength). Guidance runs the batch twice: its first B rows are the
// prompt's. The maps cover the model's padded input (pixels or latents), whose top-left
// part the picture shows.
torch::Tensor attentionOverlay(const torch::Tensor& pictures, const std::vector<ddpm::CrossAttentionMap>& maps, int k,
                               const ddpm::ModelConfig& model) {
    namespace F = torch::nn::functional;
    const auto cpuPictures = pictures.to(torch::kCPU, torch::kFloat);
    const int64_t B = cpuPictures.size(0), H = cpuPictures.size(2), W = cpuPictures.size(3);
    const int64_t divisor = int64_t(1) << (model.channelMults.size() - 1);
    const int64_t side = model.resolution, padded = (side + divisor - 1) / divisor * divisor;
    const auto resize = [](const torch::Tensor& x, int64_t h, int64_t w) {
        return F::interpolate(x, F::InterpolateFuncOptions()
                                     .size(std::vector<int64_t>{h, w})
                                     .mode(torch::kBilinear)
                                     .align_corners(false));
    };
    torch::Tensor heat = torch::zeros({B, 1, side, side});
    for (const ddpm::CrossAttentionMap& map : maps) {
        if (k >= map.weights.size(2) || map.weights.size(0) < B) continue;
        const auto w = map.weights.slice(0, 0, B).select(2, k).to(torch::kCPU, torch::kFloat).reshape({B, 1, map.height, map.width});
        heat = heat + resize(w, padded, padded).slice(2, 0, side).slice(3, 0, side);   // (B,1,side,side)
    }
    heat = resize(heat, H, W);
    // Each picture's own range: attention spreads over the whole image, its contrast is the point.
    const auto low = heat.amin({1, 2, 3}, true), high = heat.amax({1, 2, 3}, true);
    heat = (heat - low) / (high - low).clamp_min(1e-12);                          // (B,1,H,W) in [0,1]
    const auto grey = (cpuPictures.mean(1, true) + 1) / 2;                       // (B,1,H,W) in [0,1]
    const auto orange = torch::tensor({1.0f, 0.55f, 0.0f}).reshape({1, 3, 1, 1});
    return (0.45 * grey + 0.55 * heat * orange) * 2 - 1;                          // (B,3,H,W)
}

}  // namespace

struct SamplingWorker::Model {
    QString path;
    ddpm::RunConfig config;
    std::shared_ptr<ddpm::Denoiser> ema;
    std::unique_ptr<ddpm::NoiseSchedule> schedule;
    std::shared_ptr<ddpm::TrainedAutoencoder> autoencoder;   // latent models: samples are decoded to be shown
};

SamplingWorker::SamplingWorker(QObject* parent) : QThread(parent) {
    qRegisterMetaType<ModelSummary>();
    qRegisterMetaType<SamplingFrame>();
    qRegisterMetaType<SamplingResult>();
}

SamplingWorker::~SamplingWorker() {
    {
        QMutexLocker lock(&mutex_);
        stopping_ = true;
        cancel_ = true;
        wake_.wakeOne();
    }
    wait();
}

void SamplingWorker::wakeUp() {
    if (!isRunning()) start(QThread::LowPriority);
    else wake_.wakeOne();
}

void SamplingWorker::setCheckpoint(const QString& path) {
    QMutexLocker lock(&mutex_);
    // A run in progress finishes on the old model (the Train tab saves every few minutes:
    // an animation should not break off each time); the new one is loaded next.
    pendingCheckpoint_ = path;
    wakeUp();
}

void SamplingWorker::sample(const SamplingRequest& request) {
    QMutexLocker lock(&mutex_);
    pendingRequest_ = request;
    busy_ = true;
    wakeUp();
}

void SamplingWorker::cancel() {
    QMutexLocker lock(&mutex_);
    cancel_ = true;
    pendingRequest_.reset();
}

void SamplingWorker::run() {
    for (;;) {
        std::optional<QString> checkpoint;
        std::optional<SamplingRequest> request;
        {
            QMutexLocker lock(&mutex_);
            while (!pendingCheckpoint_ && !pendingRequest_ && !stopping_) {
                busy_ = false;
                wake_.wait(&mutex_);
            }
            if (stopping_) return;
            checkpoint.swap(pendingCheckpoint_);
            // A checkpoint first: a request that came with it runs on the new model.
            if (!checkpoint) request.swap(pendingRequest_);
            cancel_ = false;
            busy_ = true;
        }
        if (checkpoint) load(*checkpoint);
        if (request) draw(*request);
    }
}

void SamplingWorker::load(const QString& path) {
    try {
        auto contents = ddpm::loadCheckpoint(path.toStdString(), torch::kCPU);
        auto model = std::make_unique<Model>();
        model->path = path;
        model->config = contents.config;
        model->ema = contents.ema;
        model->schedule = std::make_unique<ddpm::NoiseSchedule>(contents.config.schedule);
        model->autoencoder = contents.autoencoder;
        const ModelSummary summary = summaryOf(path, model->config);
        model_ = std::move(model);
        emit modelLoaded(summary);
    } catch (const std::exception& e) {
        model_.reset();   // what the tab shows is what samples: no model
        emit modelFailed(QString::fromStdString(e.what()));
    }
}

void SamplingWorker::draw(const SamplingRequest& r) {
    if (!model_) {
        emit failed(tr("No model is loaded: open a checkpoint first (File ▸ Open Checkpoint…)"));
        return;
    }
    ddpm::SamplingParameters sc = r.parameters;
    const bool text = model_->config.model.text.enabled();
    if (model_->config.model.numClasses == 0) sc.classLabel = -1;
    if (model_->config.model.numClasses == 0 && !text) sc.guidance = 1.0;
    if (!text) sc.prompt = sc.negativePrompt = "";
    const bool showAttention = text && r.keepFrames && r.attentionToken >= 0 && !sc.prompt.empty();
    model_->ema->setCrossAttentionRecording(showAttention);
    const ddpm::SampleSpace& space = model_->config.data.space;
    const auto pictures = [&](const torch::Tensor& samples) {
        return ddpm::picturesOf(samples, space, model_->autoencoder.get());
    };
    const int total = int(ddpm::samplingTimesteps(sc, model_->schedule->timesteps()).size());
    const int count = int(sc.count);
    const int frameEvery = r.keepFrames ? frameStride(space.pictureSpace(), count, total) : 1;
    const int columns = gridColumns(count);
    int stepsDone = 0;
    emit started(total);
    try {
        // One batch, or a row of the batch for each prompt (from the same noise: the seed is the same).
        const QStringList rows = text && !r.keepFrames && !r.rowPrompts.isEmpty() ? r.rowPrompts : QStringList{QString()};
        std::vector<torch::Tensor> drawn;
        for (int row = 0; row < rows.size(); ++row) {
            if (!rows[row].isEmpty()) sc.prompt = rows[row].toStdString();
            const int done = row * total;
            drawn.push_back(ddpm::sample(*model_->ema, *model_->schedule, model_->config.objective,
                                         model_->config.data.space, sc,
                                         [&](const ddpm::SampleFrame& f) {
                                             if (cancel_) return false;
                                             stepsDone = done + f.index;
                                             emit progressed(done + f.index, total * int(rows.size()));
                                             if (!r.keepFrames) return true;
                                             SamplingFrame frame;
                                             frame.index = f.index;
                                             frame.total = f.total;
                                             frame.t = f.t;
                                             if (space.isPoints()) {
                                                 frame.xtPoints = toPoints(f.xt);
                                                 if (f.x0.defined()) frame.x0Points = toPoints(f.x0);
                                             } else {
                                                 frame.xt = gridImage(pictures(f.xt), columns, kGridPadding);
                                                 if (f.x0.defined()) {
                                                     const auto x0 = pictures(f.x0);
                                                     frame.x0 = gridImage(x0, columns, kGridPadding);
                                                     if (showAttention)
                                                         frame.attention = gridImage(
                                                             attentionOverlay(x0, model_->ema->crossAttentionMaps(),
                                                                              r.attentionToken, model_->config.model),
                                                             columns, kGridPadding);
                                                 }
                                             }
                                             emit frameReady(frame);
                                             return !cancel_;
                                         },
                                         frameEvery));
        }
        const torch::Tensor samples = torch::cat(drawn);   // (rows·count,…)
        SamplingResult result;
        result.request = r;
        result.checkpoint = model_->path;
        if (space.isPoints()) result.points = toPoints(samples);
        else result.images = itemImages(pictures(samples));
        emit finished(result);
    } catch (const ddpm::Cancelled&) {
        emit cancelled(stepsDone);
    } catch (const std::exception& e) {
        emit failed(QString::fromStdString(e.what()));
    }
}

}  // namespace ddpm::ui
