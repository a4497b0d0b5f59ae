#include "dataset/DatasetView.h"

#include <QLabel>
#include <QListView>
#include <QSplitter>
#include <QStackedWidget>
#include <QVBoxLayout>

#include "common/HelpLabel.h"
#include "dataset/ChosenImagePanel.h"
#include "dataset/DatasetLoadJob.h"
#include "dataset/DatasetSourceList.h"
#include "dataset/DatasetSummaryPanel.h"
#include "dataset/LoadStatusBar.h"
#include "dataset/PointCloudPlot.h"
#include "dataset/ThumbnailDelegate.h"
#include "dataset/ThumbnailModel.h"

namespace ddpm::ui {

namespace {
constexpr int kThumbnailPadding = 8;   // room for the chosen-image frame

}  // namespace

DatasetView::DatasetView(QWidget* parent)
    : QWidget(parent),
      sources_(new DatasetSourceList(this)),
      status_(new LoadStatusBar(this)),
      centre_(new QStackedWidget(this)),
      grid_(new QListView(this)),
      thumbnails_(new ThumbnailModel(this)),
      plot_(new PointCloudPlot(this)),
      chosenPanel_(new ChosenImagePanel(this)),
      summary_(new DatasetSummaryPanel(this)) {
    centre_->addWidget(makeEmptyPage());
    centre_->addWidget(makeThumbnailGrid());
    centre_->addWidget(plot_);

    auto* side = new QWidget(this);
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(chosenPanel_);
    sideLayout->addWidget(summary_, 1);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName("datasetSplitter");
    splitter->addWidget(sources_);
    splitter->addWidget(centre_);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setStretchFactor(2, 0);
    splitter->setCollapsible(1, false);
    splitter->setSizes({200, 760, 320});

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(makeHelpText());
    layout->addWidget(status_);
    layout->addWidget(splitter, 1);

    connect(sources_, &DatasetSourceList::sourceActivated, this, &DatasetView::loadDataset);
    connect(status_, &LoadStatusBar::cancelRequested, this, &DatasetView::cancelLoading);
    connect(grid_->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) {
                if (current.isValid()) chooseImage(current.row());
            });
    chosenPanel_->showImage(nullptr, -1);
}

DatasetView::~DatasetView() = default;   // a running job is a child: it cancels and waits

QWidget* DatasetView::makeHelpText() {
    return makeHelpLabel(
        tr("The data a model learns from. Pick a built-in dataset on the left, or drop a folder of images "
           "(sub-folders are classes), an IDX or a CIFAR file anywhere on this window. Click a thumbnail "
           "to choose the image that the other tabs show."),
        "datasetHelp", this);
}

QWidget* DatasetView::makeEmptyPage() {
    auto* empty = new QLabel(tr("No dataset loaded yet.\n\nPick one on the left, or drop a folder of images here."),
                             this);
    empty->setObjectName("noDatasetPage");
    empty->setAlignment(Qt::AlignCenter);
    empty->setFrameShape(QFrame::StyledPanel);
    return empty;
}

QWidget* DatasetView::makeThumbnailGrid() {
    grid_->setObjectName("thumbnailGrid");
    grid_->setModel(thumbnails_);
    grid_->setItemDelegate(new ThumbnailDelegate(grid_));
    grid_->setMouseTracking(true);   // hover frame
    // One painted item per image, laid out in batches: smooth at 70,000 images.
    grid_->setViewMode(QListView::IconMode);
    grid_->setMovement(QListView::Static);   // no item dragging; lets folder drops reach the window
    grid_->setResizeMode(QListView::Adjust);
    grid_->setUniformItemSizes(true);
    grid_->setLayoutMode(QListView::Batched);
    grid_->setBatchSize(2000);
    grid_->setSelectionMode(QAbstractItemView::SingleSelection);
    grid_->setSelectionRectVisible(false);
    grid_->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    grid_->setSpacing(0);
    grid_->setAcceptDrops(false);
    grid_->viewport()->setAcceptDrops(false);
    return grid_;
}

bool DatasetView::isLoading() const { return job_ && job_->isRunning(); }

void DatasetView::loadDataset(const QString& pathOrName) {
    if (pathOrName.isEmpty()) return;
    if (job_) {
        // The old load's results no longer matter; it deletes itself when its worker returns.
        disconnect(job_, nullptr, this, nullptr);
        disconnect(job_, nullptr, status_, nullptr);
        job_->cancel();
        job_ = nullptr;
    }
    auto* job = new DatasetLoadJob(pathOrName, options_, this);
    connect(job, &DatasetLoadJob::progressChanged, status_, &LoadStatusBar::setProgress);
    connect(job, &DatasetLoadJob::loaded, this, &DatasetView::onLoaded);
    connect(job, &DatasetLoadJob::failed, this, &DatasetView::onFailed);
    connect(job, &DatasetLoadJob::cancelled, this, &DatasetView::onCancelled);
    connect(job, &DatasetLoadJob::finished, job, &QObject::deleteLater);
    job_ = job;
    status_->showLoading(pathOrName);
    emit loadStarted(pathOrName);
    job->start();
}

void DatasetView::cancelLoading() {
    if (job_) job_->cancel();
}

void DatasetView::onLoaded(const DatasetPtr& dataset) {
    const QString source = job_ ? job_->pathOrName() : QString();
    job_ = nullptr;
    status_->clear();

    dataset_ = dataset;
    source_ = source;
    chosen_ = -1;
    thumbnails_->setDataset(dataset);
    const QSize thumb = thumbnails_->thumbnailSize();
    grid_->setIconSize(thumb);
    grid_->setGridSize(thumb + QSize(kThumbnailPadding, kThumbnailPadding));
    plot_->setDataset(dataset);
    centre_->setCurrentWidget(dataset->isPoints() ? static_cast<QWidget*>(plot_) : grid_);
    chosenPanel_->setVisible(!dataset->isPoints());
    summary_->showDataset(dataset);
    sources_->setCurrentSource(source);

    emit datasetChanged(dataset);
    chooseImage(dataset->isPoints() || dataset->count == 0 ? -1 : 0);
    if (chosen_ == -1) emit chosenImageChanged(-1);   // chooseImage(-1) saw no change
}

void DatasetView::onFailed(const QString& message) {
    job_ = nullptr;
    status_->showError(message);
    emit loadFailed(message);
}

void DatasetView::onCancelled() {
    const QString source = job_ ? job_->pathOrName() : QString();
    job_ = nullptr;
    if (dataset_)
        status_->showNotice(tr("Loading %1 was cancelled; %2 is still loaded.")
                                .arg(source, QString::fromStdString(dataset_->name)));
    else
        status_->showNotice(tr("Loading %1 was cancelled.").arg(source));
    emit loadCancelled(source);
}

void DatasetView::chooseImage(int index) {
    const int count = dataset_ && !dataset_->isPoints() ? int(dataset_->count) : 0;
    if (index < -1 || index >= count) return;
    if (index == chosen_) return;
    chosen_ = index;
    chosenPanel_->showImage(dataset_, index);
    if (index >= 0) {
        const QModelIndex item = thumbnails_->index(index);
        grid_->setCurrentIndex(item);   // re-enters through currentChanged with no change
        grid_->scrollTo(item);
    } else {
        grid_->clearSelection();
    }
    emit chosenImageChanged(index);
}

void DatasetView::setRecentPaths(const QStringList& paths) { sources_->setRecentPaths(paths); }

}  // namespace ddpm::ui
