#pragma once
// Follows a run folder that another process writes (a `ddpm train` in a terminal,
// rank 0 of a run on several machines, a cluster job on a shared disk): the rows
// metrics.csv gains, the newest sample grid and each new model.ckpt, by signals
// that arrive in the order the poller saw them.
//
// It polls on a thread of its own: a shared disk may deliver no file-system
// notifications, and a file growing by thousands of rows a minute is read and parsed
// there, never on the GUI thread. Only whole rows are taken (one without its newline
// waits for the next poll) and only whole files (the writers rename them into place);
// a replaced metrics.csv (a resumed run trims it) is read again from its start.
#include <QImage>
#include <QObject>
#include <QString>
#include <QVector>

#include "training/StepRecordBuffer.h"

class QThread;

namespace ddpm::ui {

class RunFolderWatcher : public QObject {
    Q_OBJECT

public:
    static constexpr int kPollIntervalMs = 250;
    static constexpr int kStopWaitMs = 2000;   // at destruction, for a poll in progress

    explicit RunFolderWatcher(QObject* parent = nullptr);
    ~RunFolderWatcher() override;   // stops its thread

    void watch(const QString& folder);   // ends any previous watch; reports what the folder holds now
    void stop();
    QString folder() const { return folder_; }
    bool isWatching() const { return !folder_.isEmpty(); }

signals:
    void restarted();                                      // metrics.csv was replaced: start the curves over
    void rowsRead(const QVector<ddpm::ui::StepRecord>& rows);   // progress is -1: the writer knows the horizon
    void samplesChanged(const QImage& grid, const QString& fileName);   // the newest sample grid
    void checkpointChanged(const QString& path);           // model.ckpt, when first seen and each time it is replaced
    void problem(const QString& message);                  // e.g. a metrics.csv that is not a run's

private:
    class Poller;
    QThread* thread_;
    Poller* poller_ = nullptr;   // lives on thread_
    int watchId_ = 0;            // which watch the poller's results belong to (GUI thread)
    QString folder_;
};

}  // namespace ddpm::ui
