#include "dataset/DatasetLoadJob.h"

#include <QtConcurrent/QtConcurrentRun>
#include <new>

#include "data/DatasetError.h"

namespace ddpm::ui {

DatasetLoadJob::DatasetLoadJob(QString pathOrName, ddpm::LoadOptions options, QObject* parent)
    : QObject(parent), pathOrName_(std::move(pathOrName)), options_(std::move(options)) {
    connect(&watcher_, &QFutureWatcherBase::finished, this, &DatasetLoadJob::deliver);
}

DatasetLoadJob::~DatasetLoadJob() {
    // The worker posts progress to this object: it must be done before we go.
    cancel();
    watcher_.disconnect(this);
    watcher_.waitForFinished();
}

void DatasetLoadJob::start() {
    if (started_) return;   // one load per job
    started_ = true;
    watcher_.setFuture(QtConcurrent::run([this] { return run(); }));
}

void DatasetLoadJob::cancel() { cancelRequested_ = true; }

DatasetLoadJob::Outcome DatasetLoadJob::run() {
    ddpm::LoadOptions options = options_;
    options.progress = [this, callerProgress = options_.progress](int64_t done, int64_t total) {
        if (callerProgress && !callerProgress(done, total)) cancelRequested_ = true;
        reportProgress(done, total);
        return !cancelRequested_;
    };
    Outcome outcome;
    try {
        outcome.dataset = std::make_shared<const ddpm::Dataset>(ddpm::loadDataset(pathOrName_.toStdString(), options));
    } catch (const ddpm::Cancelled&) {
        outcome.cancelled = true;
    } catch (const ddpm::DatasetError& e) {
        outcome.error = QString::fromStdString(e.what());
    } catch (const std::bad_alloc&) {
        outcome.error = pathOrName_ + ": not enough memory to load this dataset";
    } catch (const std::exception& e) {
        outcome.error = pathOrName_ + ": " + QString::fromStdString(e.what());
    }
    if (cancelRequested_) outcome.cancelled = true;   // a load that ignored the request is dropped
    return outcome;
}

void DatasetLoadJob::reportProgress(int64_t done, int64_t total) {
    // At most one queued update per percent: the loader may call often.
    const int percent = total > 0 ? int(100 * done / total) : -1;
    if (percent == lastPercent_.exchange(percent) && percent != 100) return;
    QMetaObject::invokeMethod(
        this, [this, done, total] { emit progressChanged(done, total); }, Qt::QueuedConnection);
}

void DatasetLoadJob::deliver() {
    const Outcome outcome = watcher_.result();
    if (outcome.cancelled) emit cancelled();
    else if (outcome.dataset) emit loaded(outcome.dataset);
    else emit failed(outcome.error);
    emit finished();
}

}  // namespace ddpm::ui
