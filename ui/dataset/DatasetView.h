#pragma once
// The Dataset tab: pick or drop a dataset, watch it load, browse its images
// (or its 2-D points), read its summary and choose the image the other tabs use.
//
// Other tabs read the shared state from here:
//   dataset()    / datasetChanged(DatasetPtr)   the loaded dataset (immutable, shared)
//   chosenImage()/ chosenImageChanged(int)      the chosen image's index, -1 for none
#include <QPointer>
#include <QWidget>

#include "data/DatasetLoader.h"
#include "dataset/DatasetPtr.h"

class QListView;
class QStackedWidget;

namespace ddpm::ui {

class ChosenImagePanel;
class DatasetLoadJob;
class DatasetSourceList;
class DatasetSummaryPanel;
class LoadStatusBar;
class PointCloudPlot;
class ThumbnailModel;

class DatasetView : public QWidget {
    Q_OBJECT

public:
    explicit DatasetView(QWidget* parent = nullptr);
    ~DatasetView() override;

    DatasetPtr dataset() const { return dataset_; }   // nullptr before the first load
    QString datasetSource() const { return source_; } // the path or built-in name it came from
    int chosenImage() const { return chosen_; }       // -1: none (no dataset, or points)
    bool isLoading() const;

    // Options for the next loads (image-folder resolution, memory limit, ...).
    // A progress function here is called on the loading thread.
    void setLoadOptions(const ddpm::LoadOptions& options) { options_ = options; }
    const ddpm::LoadOptions& loadOptions() const { return options_; }

    ThumbnailModel* thumbnailModel() const { return thumbnails_; }

public slots:
    // Loads off the GUI thread; a load still running is cancelled. On failure
    // the message is shown here and the current dataset stays.
    void loadDataset(const QString& pathOrName);
    void cancelLoading();
    void chooseImage(int index);
    void setRecentPaths(const QStringList& paths);

signals:
    void loadStarted(const QString& pathOrName);
    void datasetChanged(ddpm::ui::DatasetPtr dataset);
    void loadFailed(const QString& message);
    void loadCancelled(const QString& pathOrName);
    void chosenImageChanged(int index);

private:
    QWidget* makeHelpText();
    QWidget* makeEmptyPage();
    QWidget* makeThumbnailGrid();
    void onLoaded(const DatasetPtr& dataset);
    void onFailed(const QString& message);
    void onCancelled();

    ddpm::LoadOptions options_;
    DatasetPtr dataset_;
    QString source_;
    int chosen_ = -1;
    QPointer<DatasetLoadJob> job_;

    DatasetSourceList* sources_;
    LoadStatusBar* status_;
    QStackedWidget* centre_;
    QListView* grid_;
    ThumbnailModel* thumbnails_;
    PointCloudPlot* plot_;
    ChosenImagePanel* chosenPanel_;
    DatasetSummaryPanel* summary_;
};

}  // namespace ddpm::ui
