#include "evaluation/EvaluationWorker.h"

#include <QFileInfo>
#include <algorithm>
#include <vector>

#include "eval/Evaluation.h"
#include "eval/FeatureExtractor.h"
#include "training/Checkpoint.h"
#include "util/Cancelled.h"

namespace ddpm::ui {

namespace {

struct QueuedCheckpoint {
    QString path;
    qint64 step = 0;
};

// Core's reason why a dataset has no built-in extractor, with where to go instead; "" when it has one.
QString missingBuiltinExtractor(const EvaluationRequest& r) {
    if (r.features != "builtin") return {};
    try {
        // Throws too when a shipped classifier's file is missing from the installation.
        if (!ddpm::builtinFeatureClassifier(r.reference->name).empty()) return {};
        ddpm::openFeatureExtractor("builtin", r.reference->name, torch::kCPU);
        return {};
    } catch (const std::exception& e) {
        return QObject::tr("%1\nChoose a feature file under Features: a *.classifier (ddpm train-classifier) "
                           "or a TorchScript Inception *.pt.")
            .arg(QString::fromStdString(e.what()));
    }
}

}  // namespace

EvaluationWorker::EvaluationWorker(QObject* parent) : QThread(parent) { qRegisterMetaType<CheckpointScore>(); }

EvaluationWorker::~EvaluationWorker() {
    {
        QMutexLocker lock(&mutex_);
        stopping_ = true;
        cancel_ = true;
        wake_.wakeOne();
    }
    wait();
}

void EvaluationWorker::evaluate(const EvaluationRequest& request) {
    QMutexLocker lock(&mutex_);
    pending_ = request;
    cancel_ = busy_.load();   // the run in progress gives way to the new one
    busy_ = true;
    if (!isRunning()) start(QThread::LowPriority);
    else wake_.wakeOne();
}

void EvaluationWorker::cancel() {
    QMutexLocker lock(&mutex_);
    cancel_ = true;
    pending_.reset();
}

void EvaluationWorker::run() {
    for (;;) {
        EvaluationRequest request;
        {
            QMutexLocker lock(&mutex_);
            while (!pending_ && !stopping_) {
                busy_ = false;
                wake_.wait(&mutex_);
            }
            if (stopping_) return;
            request = *std::exchange(pending_, std::nullopt);
            cancel_ = false;
        }
        evaluateNow(request);
    }
}

void EvaluationWorker::evaluateNow(const EvaluationRequest& r) {
    if (!r.reference) {
        emit failed(tr("No dataset is loaded: open the dataset the model was trained on in the Dataset tab."));
        return;
    }
    if (r.checkpoints.isEmpty()) {
        emit failed(tr("No checkpoints to evaluate: pick a run folder with *.ckpt files or the files themselves."));
        return;
    }
    if (const QString missing = missingBuiltinExtractor(r); !missing.isEmpty()) {
        emit failed(missing);
        return;
    }
    int done = 0;
    try {
        // Each checkpoint's step, so that the curve is drawn left to right as scores arrive.
        std::vector<QueuedCheckpoint> queue;
        for (int i = 0; i < r.checkpoints.size(); ++i) {
            emit progressed(0, int(r.checkpoints.size()), "reading", i, r.checkpoints.size());
            if (cancel_) throw ddpm::Cancelled();
            queue.push_back({r.checkpoints[i], ddpm::readCheckpointProgress(r.checkpoints[i].toStdString()).step});
        }
        std::stable_sort(queue.begin(), queue.end(), [](auto& a, auto& b) { return a.step < b.step; });
        if (r.oneScorePerStep)   // keeps the first of equal steps: the snapshot, listed before model.ckpt
            queue.erase(std::unique(queue.begin(), queue.end(), [](auto& a, auto& b) { return a.step == b.step; }),
                        queue.end());
        const int total = int(queue.size());
        emit started(total);

        ddpm::EvalConfig config;
        config.features = r.features.toStdString();
        config.count = r.sampleCount;
        config.sampler.sampler = ddpm::SamplerKind::Ddim;
        config.sampler.steps = r.samplerSteps;
        config.heldOutCaptions = r.heldOutCaptions;
        // The held-out features once for the whole run; each checkpoint then costs its samples only.
        const ddpm::Evaluator evaluator(*r.reference, config, [&](const ddpm::EvalProgress& p) {
            emit progressed(0, total, QString::fromStdString(p.stage), p.done, p.total);
            return !cancel_;
        });
        for (const QueuedCheckpoint& checkpoint : queue) {
            const auto contents = ddpm::loadCheckpoint(checkpoint.path.toStdString(), evaluator.device());
            const auto result = evaluator.evaluate(contents, [&](const ddpm::EvalProgress& p) {
                emit progressed(done, total, QString::fromStdString(p.stage), p.done, p.total);
                return !cancel_;
            });
            CheckpointScore score;
            score.path = checkpoint.path;
            score.step = result.step;
            score.fid = result.fid;
            score.kid = result.kid;
            score.kidStd = result.kidStd;
            score.confidentShare = result.confidentShare;
            score.classMatchShare = result.classMatchShare;
            score.chanceMatchShare = result.chanceMatchShare;
            score.heldOutCaptions = r.heldOutCaptions;
            score.askedWithSeenWords = result.askedWithSeenWords;
            score.seenWordsMatched = result.seenWordsMatched;
            score.count = result.count;
            score.referenceCount = result.referenceCount;
            score.extractor = QString::fromStdString(result.extractor);
            score.seconds = result.seconds;
            ++done;
            emit scored(score);
        }
        emit finished(done);
    } catch (const ddpm::Cancelled&) {
        emit cancelled(done);
    } catch (const std::exception& e) {
        emit failed(QString::fromStdString(e.what()));
    }
}

}  // namespace ddpm::ui
