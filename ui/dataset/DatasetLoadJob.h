#pragma once
// Loads one dataset on a worker thread (QtConcurrent) so the window stays
// responsive. Every signal is emitted on the thread that owns the job (the GUI
// thread), queued from the worker. One job loads once: make a new one per load.
//
//   auto* job = new DatasetLoadJob("mnist", options, this);
//   connect(job, &DatasetLoadJob::loaded, ...);
//   connect(job, &DatasetLoadJob::finished, job, &QObject::deleteLater);
//   job->start();
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <atomic>
#include <memory>

#include "data/DatasetLoader.h"
#include "dataset/DatasetPtr.h"

namespace ddpm::ui {

class DatasetLoadJob : public QObject {
    Q_OBJECT

public:
    // options.progress, if set, is called on the worker thread before the job's
    // own progress reporting; returning false from it cancels like cancel().
    DatasetLoadJob(QString pathOrName, ddpm::LoadOptions options, QObject* parent = nullptr);
    // Cancels a running load and waits for the worker to return.
    ~DatasetLoadJob() override;

    const QString& pathOrName() const { return pathOrName_; }
    bool isRunning() const { return watcher_.isRunning(); }

public slots:
    void start();
    // Asks the loader to stop at its next progress check. Loaders that never
    // check (IDX files) finish, and the result is dropped: cancelled() follows.
    void cancel();

signals:
    // total is 0 while the loader has not said how much work there is.
    void progressChanged(qint64 done, qint64 total);
    void loaded(ddpm::ui::DatasetPtr dataset);
    void failed(const QString& message);   // the loader's message: file and reason
    void cancelled();
    void finished();                       // after exactly one of loaded / failed / cancelled

private:
    struct Outcome {
        DatasetPtr dataset;
        QString error;
        bool cancelled = false;
    };
    Outcome run();   // on the worker thread
    void reportProgress(int64_t done, int64_t total);   // on the worker thread
    void deliver();

    const QString pathOrName_;
    ddpm::LoadOptions options_;
    bool started_ = false;
    std::atomic<bool> cancelRequested_{false};
    std::atomic<int> lastPercent_{-1};
    QFutureWatcher<Outcome> watcher_;
};

}  // namespace ddpm::ui
