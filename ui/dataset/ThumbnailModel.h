#pragma once
// The images of a Dataset as a flat list model for a QListView in icon mode.
// Thumbnails are made only when the view asks for them (the visible ones) and
// kept in a small cache, so a 70,000-image dataset costs nothing up front.
// Point datasets have no rows.
#include <QAbstractListModel>
#include <QCache>
#include <QPixmap>
#include <QSize>

#include "dataset/DatasetPtr.h"

namespace ddpm::ui {

class ThumbnailModel : public QAbstractListModel {
    Q_OBJECT

public:
    static constexpr int kCacheEntries = 3000;   // a few screens of thumbnails

    explicit ThumbnailModel(QObject* parent = nullptr);

    void setDataset(DatasetPtr dataset);   // resets the model and the cache
    const DatasetPtr& dataset() const { return dataset_; }

    // Thumbnails are the image scaled by a whole factor (crisp pixels) to at
    // least this size; 28x28 digits become 56x56.
    void setThumbnailSize(int pixels);
    QSize thumbnailSize() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    // DecorationRole: the thumbnail; ToolTipRole: "#index · class · split".
    QVariant data(const QModelIndex& index, int role) const override;

private:
    QPixmap thumbnail(int row) const;
    int scaleFactor() const;

    DatasetPtr dataset_;
    int thumbnailSize_ = 56;
    mutable QCache<int, QPixmap> cache_;
};

}  // namespace ddpm::ui
