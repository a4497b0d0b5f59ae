#include "timeline/ForwardNoisingWorker.h"

#include <torch/torch.h>

#include "common/TensorImage.h"
#include "diffusion/NoiseSchedule.h"
#include "diffusion/SampleSpaceTensors.h"
#include "random/Generators.h"

namespace ddpm::ui {

namespace {

// The noise of image i is the same on every request: scrubbing is continuous.
constexpr uint64_t kNoiseSeed = 0x5eed;

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
    torch::Tensor x0, noise;   // (1,C,H,W) for an image, (N,2) for points; data range [-1,1]
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
        if (r.dataset != dataset || index != this->index) {
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
        if (!dataset) return;
        const ddpm::Dataset& d = *dataset;
        const ddpm::SampleSpace space = ddpm::sampleSpaceOf(d);
        if (space.isPoints()) {
            x0 = ddpm::toModelSpace(space, ddpm::storedItems(d, 0, d.count, space));   // (N,2)
        } else {
            if (index < 0 || index >= d.count) return;
            x0 = ddpm::toModelSpace(space, ddpm::storedItems(d, index, 1, space));     // (1,C,H,W) in [-1,1]
        }
        auto generator = ddpm::makeGenerator(kNoiseSeed + uint64_t(std::max(index, 0)));
        noise = torch::randn(x0.sizes(), generator, torch::TensorOptions().dtype(torch::kFloat));
    }

    torch::Tensor noisedAt(int t) const {
        const auto ts = torch::full({x0.size(0)}, t, torch::kInt64);
        return schedule->qSample(x0, ts, noise);
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
            if (c.x0.defined()) {
                const auto xt = c.noisedAt(result.t);
                if (c.dataset->isPoints()) {
                    result.xtPoints = toPoints(xt);
                } else {
                    result.xt = gridImage(xt, 1, 0);
                    if (c.strip.isEmpty())
                        for (int step : c.stripSteps)
                            if (step >= 0 && step < c.schedule->timesteps()) c.strip.append(gridImage(c.noisedAt(step), 1, 0));
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
