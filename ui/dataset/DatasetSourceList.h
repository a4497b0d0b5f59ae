#pragma once
// The Dataset view's left column: the built-in datasets (greyed, with the
// reason in the tooltip, when not available here) and the recently opened
// paths. A click asks for that dataset to be loaded.
#include <QStringList>
#include <QWidget>

class QListWidget;
class QListWidgetItem;

namespace ddpm::ui {

class DatasetSourceList : public QWidget {
    Q_OBJECT

public:
    explicit DatasetSourceList(QWidget* parent = nullptr);

public slots:
    void setRecentPaths(const QStringList& paths);
    // Marks the entry that is loaded now (if it is in one of the lists).
    void setCurrentSource(const QString& pathOrName);

signals:
    void sourceActivated(const QString& pathOrName);

private:
    void fillBuiltins();
    void activate(QListWidgetItem* item);

    QListWidget* builtins_;
    QListWidget* recents_;
    QString current_;
};

}  // namespace ddpm::ui
