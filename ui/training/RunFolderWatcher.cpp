#include "training/RunFolderWatcher.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPointer>
#include <QRegularExpression>
#include <QThread>
#include <QTimer>

#include <sys/stat.h>

#include "training/MetricsFile.h"
#include "training/RunFolder.h"

namespace ddpm::ui {

namespace {

// What tells a file's versions apart when writers replace it by renaming.
struct FileVersion {
    qint64 size = -1;
    QDateTime modified;
    QString path;
    bool operator==(const FileVersion& o) const { return size == o.size && modified == o.modified && path == o.path; }
    bool operator!=(const FileVersion& o) const { return !(*this == o); }
};

FileVersion versionOf(const QFileInfo& file) {
    if (!file.exists()) return {};
    return {file.size(), file.lastModified(), file.absoluteFilePath()};
}

}  // namespace

class RunFolderWatcher::Poller : public QObject {
public:
    // `owner` made on the GUI thread: a weak reference this thread may copy.
    Poller(const QPointer<RunFolderWatcher>& owner, int watchId, const QString& folder)
        : owner_(owner), watchId_(watchId), folder_(folder), timer_(new QTimer(this)) {
        connect(timer_, &QTimer::timeout, this, &Poller::poll);
    }

    void start() {
        poll();
        timer_->start(kPollIntervalMs);
    }

private:
    // Runs f(owner) on the GUI thread, in the order posted, unless the watch (or the watcher)
    // has ended since. Posted through the application, which outlives the watcher.
    template <typename F>
    void post(F f) {
        QMetaObject::invokeMethod(QCoreApplication::instance(), [owner = owner_, id = watchId_, f] {
            if (owner && owner->watchId_ == id) f(owner.data());
        });
    }

    void poll() {
        readNewRows();
        lookForSamples();
        lookForCheckpoint();
    }

    void readNewRows() {
        QFile file(QString::fromStdString(RunFolder(folder_.toStdString()).metrics()));
        const QFileInfo info(file);
        if (!info.exists()) return;
        // A smaller file or another one (a resumed run renamed a trimmed copy into place): from its start again.
        struct stat identity {};
        if (::stat(QFile::encodeName(file.fileName()).constData(), &identity) != 0) return;
        if (info.size() < offset_ || (offset_ > 0 && identity.st_ino != metricsInode_)) {
            offset_ = 0;
            partial_.clear();
            headerSeen_ = false;
            post([](RunFolderWatcher* o) { emit o->restarted(); });
        }
        metricsInode_ = identity.st_ino;
        if (info.size() == offset_ || !file.open(QIODevice::ReadOnly) || !file.seek(offset_)) return;
        const QByteArray bytes = file.readAll();
        offset_ += bytes.size();
        partial_ += bytes;
        const qsizetype lastNewline = partial_.lastIndexOf('\n');
        if (lastNewline < 0) return;   // no whole row yet
        const QList<QByteArray> lines = partial_.left(lastNewline).split('\n');
        partial_.remove(0, lastNewline + 1);
        QVector<StepRecord> rows;
        for (const QByteArray& line : lines) {
            const std::string text = line.trimmed().toStdString();
            if (!headerSeen_) {
                headerSeen_ = true;
                if (!isMetricsHeader(text)) {
                    const QString message = tr("%1 is not a run's metrics.csv (its first line is not '%2')")
                                                .arg(QDir::toNativeSeparators(file.fileName()), QString::fromLatin1(kMetricsHeader));
                    post([message](RunFolderWatcher* o) { emit o->problem(message); });
                    timer_->stop();
                    return;
                }
                continue;
            }
            const auto row = parseMetricsLine(text);
            if (!row) continue;
            StepRecord record;
            record.step = row->step;
            record.seconds = row->wallSeconds;
            record.loss = row->loss;
            record.learningRate = row->learningRate;
            record.gradNorm = row->gradNorm;
            record.imagesPerSecond = row->imagesPerSecond;
            record.progress = -1;   // the horizon is the writer's to know
            rows.append(record);
        }
        if (!rows.isEmpty()) post([rows](RunFolderWatcher* o) { emit o->rowsRead(rows); });
    }

    // The newest samples-N.png / samples.png (an autoencoder's reconstructions likewise).
    void lookForSamples() {
        static const QRegularExpression name(QStringLiteral("^(samples|reconstructions)(-\\d+)?\\.png$"));
        QFileInfo newest;
        for (const QFileInfo& file : QDir(folder_).entryInfoList({"samples*.png", "reconstructions*.png"}, QDir::Files))
            if (name.match(file.fileName()).hasMatch() && (!newest.exists() || file.lastModified() > newest.lastModified()))
                newest = file;
        const FileVersion version = versionOf(newest);
        if (version.size < 0 || version == samples_) return;
        const QImage grid(newest.absoluteFilePath());
        if (grid.isNull()) return;   // being replaced: the next poll reads the new one
        samples_ = version;
        const QString fileName = newest.fileName();
        post([grid, fileName](RunFolderWatcher* o) { emit o->samplesChanged(grid, fileName); });
    }

    void lookForCheckpoint() {
        const QFileInfo file(QString::fromStdString(RunFolder(folder_.toStdString()).checkpoint()));
        const FileVersion version = versionOf(file);
        if (version.size < 0 || version == checkpoint_) return;
        checkpoint_ = version;
        const QString path = file.absoluteFilePath();
        post([path](RunFolderWatcher* o) { emit o->checkpointChanged(path); });
    }

    const QPointer<RunFolderWatcher> owner_;
    const int watchId_;
    const QString folder_;
    QTimer* timer_;
    qint64 offset_ = 0;           // metrics.csv bytes read
    QByteArray partial_;          // a row not yet ended by its newline
    ino_t metricsInode_ = 0;
    bool headerSeen_ = false;
    FileVersion samples_, checkpoint_;
};

RunFolderWatcher::RunFolderWatcher(QObject* parent) : QObject(parent), thread_(new QThread(this)) {
    thread_->setObjectName("RunFolderWatcher");
    thread_->start();
}

RunFolderWatcher::~RunFolderWatcher() {
    stop();
    thread_->quit();
    // A poll stuck on a hung shared disk must not hang the app: its thread is left to the process's end.
    if (!thread_->wait(kStopWaitMs)) thread_->setParent(nullptr);
}

void RunFolderWatcher::watch(const QString& folder) {
    stop();
    folder_ = QFileInfo(folder).absoluteFilePath();
    poller_ = new Poller(QPointer<RunFolderWatcher>(this), ++watchId_, folder_);
    poller_->moveToThread(thread_);
    QMetaObject::invokeMethod(poller_, [poller = poller_] { poller->start(); });
}

void RunFolderWatcher::stop() {
    if (!poller_) return;
    // Deleted on its thread after any poll in progress, without waiting for it here (a hung
    // disk may hold it); what it posts meanwhile is dropped by its watch id.
    QMetaObject::invokeMethod(poller_, [poller = poller_] { delete poller; });
    poller_ = nullptr;
    ++watchId_;
    folder_.clear();
}

}  // namespace ddpm::ui
