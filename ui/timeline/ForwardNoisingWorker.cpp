#include "timeline/ForwardNoisingWorker.h"

#include <torch/torch.h>

#include "autoencoder/LatentCodec.h"
#include "common/TensorImage.h"
#include "diffusion/NoiseSchedule.h"
#include "diffusion/SampleSpaceTensors.h"
#include "random/Generators.h"
#include "training/Checkpoint.h"

namespace ddpm::ui {

namespace {

// The noise of image i is the same on every request: scrubbing is continuous.
constexpr uint64_t kNoiseSeed = 0x5eed;
constexpr int kChannelPadding = 1;   // between the latent channels' tiles

ScheduleCurves curvesOf(const ddpm::NoiseSchedule& schedule, const ScheduleChoice& choice) {
    ScheduleCurves c;
    c.schedule = choice;
    const int T = schedule.timesteps();
    for (int t = 0; t < T; ++t) {
        c.t.append(t);
        c.beta.append(schedule.betas()[size_t(t)]);
        c.alphaBar.append(schedule.alphasCumprod()[size_t(t)]);
        c.sqrtAlphaBar.append(schedule.sqrtAlphaCumprod(t));
        c.snr.append(schedule.snr(t));
    }
    return c;
}

}  // namespace

struct ForwardNoisingWorker::Cache {
    ScheduleChoice scheduleKey;
    std::unique_ptr<ddpm::NoiseSchedule> schedule;
    ScheduleCurves curves;
    DatasetPtr dataset;
    int index = -1;
    QString model;                                       // the request's checkpoint, loaded or not
    std::shared_ptr<ddpm::TrainedAutoencoder> autoencoder;   // a latent model's
    QString space;                                       // ForwardNoisingResult::space
    bool latent = false;                                 // x0 holds the image's latents
    torch::Tensor x0, noise;   // (1,C,H,W) for an image ([-1,1]) or its latents (1,Z,h,w), (N,2) for points
    QVector<int> stripSteps;   // empty with strip empty: not computed for the current x0 and schedule
    QList<QImage> strip;

    // Brings schedule, x0, ε and the strip up to date with the request; only what changed is redone.
    void update(const ForwardNoisingRequest& r) {
        if (!schedule || r.schedule != scheduleKey) {
            ddpm::ScheduleConfig config;
            config.kind = ddpm::scheduleKindFromString(r.schedule.kind.toStdString());
            config.timesteps = r.schedule.timesteps;
            schedule = std::make_unique<ddpm::NoiseSchedule>(config);
            scheduleKey = r.schedule;
            curves = curvesOf(*schedule, scheduleKey);
            strip.clear();
        }
        const int index = r.dataset && r.dataset->isPoints() ? -1 : r.index;
        bool reload = false;
        if (r.model != model) {
            model = r.model;
            autoencoder.reset();
            // Only a latent model's autoencoder matters here; any other checkpoint leaves pixels,
            // and so does one that cannot be read (the Samples tab says why).
            try {
                if (!model.isEmpty()) autoencoder = ddpm::loadCheckpoint(model.toStdString(), torch::kCPU).autoencoder;
            } catch (const std::exception&) {
            }
            reload = true;
        }
        if (reload || r.dataset != dataset || index != this->index) {
            dataset = r.dataset;
            this->index = index;
            loadData();
            strip.clear();
        }
        if (r.stripSteps != stripSteps) strip.clear();
        stripSteps = r.stripSteps;
    }

    void loadData() {
        x0 = noise = torch::Tensor();
        latent = false;
        space.clear();
        if (!dataset) return;
        const ddpm::Dataset& d = *dataset;
        const ddpm::SampleSpace pixels = ddpm::sampleSpaceOf(d);
        if (pixels.isPoints()) {
            x0 = ddpm::toModelSpace(pixels, ddpm::storedItems(d, 0, d.count, pixels));   // (N,2)
        } else {
            if (index < 0 || index >= d.count) return;
            const auto image = ddpm::storedItems(d, index, 1, pixels);   // (1,C,H,W) uint8
            x0 = ddpm::toModelSpace(pixels, image);                      // (1,C,H,W) in [-1,1]
            if (autoencoder) {
                const ddpm::AutoencoderConfig& config = autoencoder->model->config();
                const ddpm::SampleSpace latents = ddpm::latentSpaceOf(config);
                if (latents.pictureSpace() == pixels) {
                    x0 = ddpm::encodeImages(*autoencoder, image);   // (1,Z,h,w), scaled
                    latent = true;
                    space = QString::fromStdString(latents.describe());
                } else {
                    space = QObject::tr("pixels (the open model's autoencoder takes %1)")
                                .arg(QString::fromStdString(latents.pictureSpace().describe()));
                }
            }
        }
        auto generator = ddpm::makeGenerator(kNoiseSeed + uint64_t(std::max(index, 0)));
        noise = torch::randn(x0.sizes(), generator, torch::TensorOptions().dtype(torch::kFloat));
    }

    torch::Tensor noisedAt(int t) const {
        const auto ts = torch::full({x0.size(0)}, t, torch::kInt64);
        return schedule->qSample(x0, ts, noise);
    }

    // x_t as a picture: decoded for latents.
    QImage pictureAt(int t) const {
        const auto xt = noisedAt(t);
        return gridImage(latent ? ddpm::decodeLatents(*autoencoder, xt) : xt, 1, 0);
    }
};

ForwardNoisingWorker::ForwardNoisingWorker(QObject* parent) : QThread(parent), cache_(std::make_unique<Cache>()) {
    qRegisterMetaType<ForwardNoisingResult>();
}

ForwardNoisingWorker::~ForwardNoisingWorker() {
    {
        QMutexLocker lock(&mutex_);
        stopping_ = true;
        wake_.wakeOne();
    }
    wait();
}

void ForwardNoisingWorker::request(const ForwardNoisingRequest& request) {
    QMutexLocker lock(&mutex_);
    pending_ = request;   // the newest request wins
    if (!isRunning()) start(QThread::LowPriority);
    else wake_.wakeOne();
}

void ForwardNoisingWorker::run() {
    for (;;) {
        ForwardNoisingRequest r;
        {
            QMutexLocker lock(&mutex_);
            while (!pending_ && !stopping_) wake_.wait(&mutex_);
            if (stopping_) return;
            r = std::move(*pending_);
            pending_.reset();
        }
        try {
            torch::InferenceMode inference;
            Cache& c = *cache_;
            c.update(r);
            ForwardNoisingResult result;
            result.t = std::clamp(r.t, 0, c.schedule->timesteps() - 1);
            result.index = r.index;
            result.curves = c.curves;
            result.space = c.space;
            if (c.x0.defined()) {
                if (c.dataset->isPoints()) {
                    result.xtPoints = toPoints(c.noisedAt(result.t));
                } else {
                    result.xt = c.pictureAt(result.t);
                    if (c.latent) {
                        // The Z channels of (1,Z,h,w) as Z grey tiles, ±3 (unit-variance latents) to black and white.
                        const auto xt = c.noisedAt(result.t);
                        result.latentChannels =
                            gridImage((xt / 3).clamp(-1, 1).transpose(0, 1), int(xt.size(1)), kChannelPadding);
                    }
                    if (c.strip.isEmpty())
                        for (int step : c.stripSteps)
                            if (step >= 0 && step < c.schedule->timesteps()) c.strip.append(c.pictureAt(step));
                }
            }
            for (int step : c.stripSteps)
                if (step >= 0 && step < c.schedule->timesteps()) result.stripSteps.append(step);
            result.strip = c.strip;
            emit computed(result);
        } catch (const std::exception& e) {
            emit failed(QString::fromStdString(e.what()));
        }
    }
}

}  // namespace ddpm::ui
