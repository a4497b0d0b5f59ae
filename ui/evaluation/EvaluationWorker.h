#pragma once
// Scores checkpoints with core's Evaluator on a thread of its own,
// like Qt's Mandelbrot example: a request waits under a mutex, scores stream
// back by queued signals in step order. Cancel takes effect at the next
// progress report (core's callback returns false).
#include <QMutex>
#include <QThread>
#include <QWaitCondition>
#include <atomic>
#include <optional>

#include "evaluation/Evaluation.h"

namespace ddpm::ui {

class EvaluationWorker : public QThread {
    Q_OBJECT

public:
    explicit EvaluationWorker(QObject* parent = nullptr);
    ~EvaluationWorker() override;   // cancels, stops the thread and waits for it

    // Thread-safe. Replaces a request still waiting; one in progress is cancelled first.
    void evaluate(const EvaluationRequest& request);
    void cancel();
    bool isBusy() const { return busy_; }

signals:
    void started(int checkpoints);   // after reading their steps
    // checkpoint: 0-based index in step order; stage "reading", "reference" or "sampling".
    void progressed(int checkpoint, int checkpoints, const QString& stage, qint64 done, qint64 total);
    void scored(const ddpm::ui::CheckpointScore& score);
    void finished(int scored);
    void cancelled(int scored);
    void failed(const QString& message);   // the scores before it stand

protected:
    void run() override;

private:
    void evaluateNow(const EvaluationRequest& request);

    QMutex mutex_;
    QWaitCondition wake_;
    std::optional<EvaluationRequest> pending_;
    bool stopping_ = false;
    std::atomic<bool> cancel_{false};
    std::atomic<bool> busy_{false};
};

}  // namespace ddpm::ui
