#pragma once
// The datasets opened lately (paths, newest first, at most kMaxEntries),
// kept in QSettings so the File > Open recent menu and the Dataset view's
// list survive a restart.
#include <QObject>
#include <QStringList>

namespace ddpm::ui {

class RecentDatasets : public QObject {
    Q_OBJECT

public:
    static constexpr int kMaxEntries = 8;

    explicit RecentDatasets(QObject* parent = nullptr);   // reads the saved list
    QStringList paths() const { return paths_; }

public slots:
    // Moves (or puts) the path at the front and saves the list.
    void add(const QString& path);
    void clear();

signals:
    void changed(const QStringList& paths);

private:
    void save();

    QStringList paths_;
};

}  // namespace ddpm::ui
