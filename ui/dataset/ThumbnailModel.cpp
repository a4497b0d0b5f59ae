#include "dataset/ThumbnailModel.h"

#include <algorithm>
#include <limits>

#include "dataset/DatasetImage.h"

namespace ddpm::ui {

ThumbnailModel::ThumbnailModel(QObject* parent) : QAbstractListModel(parent), cache_(kCacheEntries) {}

void ThumbnailModel::setDataset(DatasetPtr dataset) {
    beginResetModel();
    dataset_ = std::move(dataset);
    cache_.clear();
    endResetModel();
}

void ThumbnailModel::setThumbnailSize(int pixels) {
    beginResetModel();
    thumbnailSize_ = std::max(8, pixels);
    cache_.clear();
    endResetModel();
}

int ThumbnailModel::scaleFactor() const {
    if (!dataset_ || dataset_->isPoints() || dataset_->width <= 0) return 1;
    const int side = std::max(dataset_->width, dataset_->height);
    return std::max(1, (thumbnailSize_ + side - 1) / side);
}

QSize ThumbnailModel::thumbnailSize() const {
    if (!dataset_ || dataset_->isPoints()) return {thumbnailSize_, thumbnailSize_};
    return QSize(dataset_->width, dataset_->height) * scaleFactor();
}

int ThumbnailModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid() || !dataset_ || dataset_->isPoints()) return 0;
    // A QListView holds int rows; datasets stay far below that.
    return int(std::min<int64_t>(dataset_->count, std::numeric_limits<int>::max()));
}

QVariant ThumbnailModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    switch (role) {
        case Qt::DecorationRole: return thumbnail(index.row());
        case Qt::ToolTipRole: return itemCaption(*dataset_, index.row());
        case Qt::SizeHintRole: return thumbnailSize();
        default: return {};
    }
}

QPixmap ThumbnailModel::thumbnail(int row) const {
    if (const QPixmap* cached = cache_.object(row)) return *cached;
    const QImage image = datasetImage(*dataset_, row);
    auto* pixmap = new QPixmap(QPixmap::fromImage(image.scaled(image.size() * scaleFactor())));
    const QPixmap result = *pixmap;
    cache_.insert(row, pixmap);
    return result;
}

}  // namespace ddpm::ui
