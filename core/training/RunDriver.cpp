#include "training/RunDriver.h"

#include <chrono>
#include <filesystem>
#include <fstream>

#include "distributed/DistributedGroup.h"
#include "training/MetricsFile.h"
#include "util/AtomicFile.h"
#include "util/Cancelled.h"

namespace ddpm {

namespace {

using Clock = std::chrono::steady_clock;

void createParentFolder(const std::string& path) {
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) ensureFolder(parent.string());
}

}  // namespace

// metrics.csv: one row per step. A run resumed at step N continues the file after
// its rows up to N: rows a crash left beyond the checkpoint, and a torn last row, go.
class RunDriver::MetricsLog {
public:
    MetricsLog(const std::string& path, const std::vector<std::string>& extraColumns, int64_t resumedAt)
        : path_(path), header_(metricsHeader(extraColumns)) {
        if (resumedAt > 0) keepRowsUpTo(resumedAt);
        std::error_code ec;
        const bool fresh = resumedAt == 0 || !std::filesystem::exists(path, ec) || std::filesystem::file_size(path, ec) == 0;
        // Unbuffered: rows gather in pending_ and reach the file whole, never cut at a buffer's edge.
        out_.rdbuf()->pubsetbuf(nullptr, 0);
        out_.open(path, fresh ? std::ios::trunc : std::ios::app);
        if (!out_) throw std::runtime_error(path + ": cannot write");
        if (fresh) pending_ = header_ + "\n";
        flush();
    }
    void write(const StepStats& s) {
        pending_ += metricsLine({s.step, s.elapsedSeconds, s.loss, s.learningRate, s.gradNorm, s.imagesPerSecond, s.extra});
        if (s.step % 50 == 0) flush();
    }
    void flush() {
        if (pending_.empty()) return;
        if (!out_.write(pending_.data(), std::streamsize(pending_.size())) || !out_.flush())
            throw std::runtime_error(path_ + ": cannot write");
        pending_.clear();
    }
    // Flushed and on the disk: a checkpoint written after this covers no row that is not.
    void flushToDisk() {
        flush();
        syncFile(path_);
    }

private:
    void keepRowsUpTo(int64_t step) {
        const auto rows = readMetricsLines(path_, step);
        if (!rows) return;   // none yet, or not ours: appended to as it is
        std::string kept = header_ + "\n";
        for (const std::string& row : *rows) kept += row + "\n";
        writeFileAtomically(path_, std::vector<uint8_t>(kept.begin(), kept.end()));
    }

    std::string path_, header_;
    std::ofstream out_;
    std::string pending_;   // whole rows not yet written
};

RunDriver::RunDriver(std::unique_ptr<TrainingJob> job, const std::string& folder, std::shared_ptr<DistributedGroup> group)
    : job_(std::move(job)), folder_(folder), group_(std::move(group)) {
    job_->requireStepFitsInMemory();
    if (writes()) {
        ensureFolder(folder);
        // Temporaries of writers killed before their rename (a crash, a kill) take disk space for nothing.
        removeStaleTemporaries(folder);
        removeStaleTemporaries(std::filesystem::path(folder_.snapshot(0)).parent_path().string());
        metrics_ = std::make_unique<MetricsLog>(folder_.metrics(), job_->extraMetricNames(), job_->progress().step);
    }
    step_ = job_->progress().step;
    savedStep_ = step_.load();
    finished_ = job_->finished();
}

RunDriver::~RunDriver() = default;

bool RunDriver::writes() const { return !group_ || group_->isLeader(); }

RunDriver::Decision RunDriver::nextDecision(TrainingControl& control) {
    if (group_ && !group_->isLeader()) return Decision(group_->broadcastFromLeader(0));
    Decision decision = Decision::Finish;
    if (!finished_) {
        held_ = control.isPaused();   // set before the wait: a pause seen here blocks below
        const bool proceed = control.waitToProceed();
        held_ = false;
        decision = proceed ? Decision::Step : Decision::Stop;
    }
    if (group_) group_->broadcastFromLeader(int64_t(decision));
    return decision;
}

void RunDriver::setCadence(const RunCadence& cadence) {
    std::lock_guard<std::mutex> lock(cadenceMutex_);
    cadence_ = cadence;
}

RunOutcome RunDriver::run(TrainingControl& control, const RunEvents& events) {
    auto lastSave = Clock::now();
    int64_t lastPreview = -1;
    const auto flushMetrics = [this] {
        if (metrics_) metrics_->flush();
    };
    try {
        for (;;) {
            const Decision decision = nextDecision(control);
            if (decision == Decision::Stop) {
                flushMetrics();
                return RunOutcome::Stopped;
            }
            if (decision == Decision::Finish) break;
            StepStats s;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                s = job_->step();
                if (metrics_) metrics_->write(s);
                step_ = s.step;
                finished_ = job_->finished();
            }
            if (events.onStep) events.onStep(s);
            if (!writes()) continue;
            RunCadence cadence;
            {
                std::lock_guard<std::mutex> lock(cadenceMutex_);
                cadence = cadence_;
            }
            if (cadence.previewEvery > 0 && s.step % cadence.previewEvery == 0 && events.onPreview) {
                events.onPreview(drawPreview(control), s.step);
                lastPreview = s.step;
            }
            const bool byTime = cadence.saveEveryMinutes > 0 &&
                                Clock::now() - lastSave > std::chrono::duration<double>(60 * cadence.saveEveryMinutes);
            const bool bySteps = cadence.saveEverySteps > 0 && s.step % cadence.saveEverySteps == 0;
            if (!finished_ && (byTime || bySteps)) {
                if (!saveOrPause(false, control, events)) continue;   // paused; the next save point retries
                lastSave = Clock::now();
                if (events.onSaved) events.onSaved(folder_.checkpoint());
            }
        }
        finished_ = true;
        if (!writes()) return RunOutcome::Finished;
        // The end of the run: its last preview (unless just drawn), checkpoint and samples.
        if (events.onPreview && lastPreview != step_) events.onPreview(drawPreview(control), step_);
        while (!saveOrPause(true, control, events)) {
            held_ = true;
            const bool proceed = control.waitToProceed();
            held_ = false;
            if (!proceed) {
                flushMetrics();
                return RunOutcome::Stopped;
            }
        }
        if (events.onSaved) events.onSaved(folder_.checkpoint());
        return RunOutcome::Finished;
    } catch (const Cancelled&) {
        flushMetrics();
        return RunOutcome::Stopped;   // a preview gave way to a stop
    } catch (...) {
        flushMetrics();
        throw;
    }
}

torch::Tensor RunDriver::drawPreview(const TrainingControl& control) {
    std::lock_guard<std::mutex> lock(mutex_);
    return job_->preview([&control] { return !control.isCancelled(); });
}

bool RunDriver::saveOrPause(bool end, TrainingControl& control, const RunEvents& events) {
    try {
        saveRun(end);
        return true;
    } catch (const std::runtime_error& e) {
        if (!events.onSaveFailed || dynamic_cast<const Cancelled*>(&e)) throw;
        control.pause();
        events.onSaveFailed(e.what());
        return false;
    }
}

void RunDriver::saveRun(bool end) {
    if (!writes()) return;
    std::lock_guard<std::mutex> lock(mutex_);
    metrics_->flushToDisk();   // every row the checkpoint covers
    job_->save(folder_.checkpoint());
    savedStep_ = job_->progress().step;
    const std::string snapshot = folder_.snapshot(job_->progress().step);
    createParentFolder(snapshot);
    job_->save(snapshot);
    job_->writeSaveImage(folder_, end);
}

void RunDriver::saveCheckpointTo(const std::string& path) {
    if (!writes()) return;
    createParentFolder(path);
    std::lock_guard<std::mutex> lock(mutex_);
    job_->save(path);
    savedStep_ = job_->progress().step;
}

}  // namespace ddpm
