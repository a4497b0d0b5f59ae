#pragma once
// Paints one thumbnail of the grid: the image centred in its cell, framed in
// the highlight colour when chosen (a tinted 28x28 digit is hard to spot).
#include <QStyledItemDelegate>

namespace ddpm::ui {

class ThumbnailDelegate : public QStyledItemDelegate {
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

}  // namespace ddpm::ui
