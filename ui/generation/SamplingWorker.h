#pragma once
// Loads a checkpoint and draws samples with core's sample() on its own thread,
// like Qt's Mandelbrot example: requests wait under a mutex, results come back
// by queued signals. Cancel stops a run at its next step (core's frame
// callback returns false); a new checkpoint is loaded when the run ends.
//
// Frames of the reverse process (x_t and x̂0) stream out while sampling when
// the request keeps frames; very long runs of big batches send every k-th step
// so that a kept trajectory stays under kFrameBudgetBytes.
#include <QMutex>
#include <QThread>
#include <QWaitCondition>
#include <atomic>
#include <memory>
#include <optional>

#include "generation/Sampling.h"

namespace ddpm::ui {

class SamplingWorker : public QThread {
    Q_OBJECT

public:
    static constexpr qint64 kFrameBudgetBytes = 512ll << 20;

    explicit SamplingWorker(QObject* parent = nullptr);
    ~SamplingWorker() override;   // cancels, stops the thread and waits for it

    // Thread-safe. Loads after the run in progress, if any.
    void setCheckpoint(const QString& path);
    // Thread-safe. Waits for the model if one is still loading.
    void sample(const SamplingRequest& request);
    void cancel();
    bool isBusy() const { return busy_; }

signals:
    void modelLoaded(const ddpm::ui::ModelSummary& model);
    void modelFailed(const QString& message);
    void started(int totalSteps);
    void frameReady(const ddpm::ui::SamplingFrame& frame);
    void progressed(int done, int total);
    void finished(const ddpm::ui::SamplingResult& result);
    void cancelled(int stepsDone);
    void failed(const QString& message);

protected:
    void run() override;

private:
    struct Model;   // the loaded checkpoint (torch), on the worker thread only

    void load(const QString& path);
    void draw(const SamplingRequest& request);
    void wakeUp();

    QMutex mutex_;
    QWaitCondition wake_;
    std::optional<QString> pendingCheckpoint_;
    std::optional<SamplingRequest> pendingRequest_;
    bool stopping_ = false;
    std::atomic<bool> cancel_{false};
    std::atomic<bool> busy_{false};
    std::unique_ptr<Model> model_;
};

}  // namespace ddpm::ui
