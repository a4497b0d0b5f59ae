#pragma once
// Computes forward noising off the GUI thread, like Qt's Mandelbrot example:
// the newest request replaces any that is waiting (scrubbing never queues up
// work), and results come back by a queued signal.
//
// Each image has its own fixed noise ε (seeded by its index), so
// x_t = √ᾱ_t x0 + √(1−ᾱ_t) ε moves continuously with t. The worker keeps x0, ε,
// the schedule and the strip between requests and recomputes only what changed:
// a new t costs one multiply-add over the image.
#include <QMutex>
#include <QThread>
#include <QWaitCondition>
#include <memory>
#include <optional>

#include "timeline/ForwardNoising.h"

namespace ddpm::ui {

class ForwardNoisingWorker : public QThread {
    Q_OBJECT

public:
    explicit ForwardNoisingWorker(QObject* parent = nullptr);
    ~ForwardNoisingWorker() override;   // stops the thread and waits for it

    // Thread-safe; starts the thread on first use.
    void request(const ForwardNoisingRequest& request);

signals:
    void computed(const ddpm::ui::ForwardNoisingResult& result);
    void failed(const QString& message);

protected:
    void run() override;

private:
    struct Cache;   // torch state, lives on the worker thread only

    QMutex mutex_;
    QWaitCondition wake_;
    std::optional<ForwardNoisingRequest> pending_;
    bool stopping_ = false;
    std::unique_ptr<Cache> cache_;
};

}  // namespace ddpm::ui
