#include "dataset/ThumbnailDelegate.h"

#include <QPainter>
#include <QPixmap>

namespace ddpm::ui {

namespace {
constexpr int kFrameWidth = 3;
}

void ThumbnailDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const {
    const QPixmap pixmap = index.data(Qt::DecorationRole).value<QPixmap>();
    QRect target(QPoint(), pixmap.size());
    target.moveCenter(option.rect.center());
    painter->drawPixmap(target, pixmap);

    const bool chosen = option.state & QStyle::State_Selected;
    const bool hovered = option.state & QStyle::State_MouseOver;
    if (!chosen && !hovered) return;
    painter->save();
    QColor colour = option.palette.color(QPalette::Highlight);
    if (!chosen) colour.setAlpha(110);
    painter->setPen(QPen(colour, kFrameWidth));
    painter->setBrush(Qt::NoBrush);
    const int grow = kFrameWidth / 2 + 1;
    painter->drawRect(target.adjusted(-grow, -grow, grow, grow));
    painter->restore();
}

QSize ThumbnailDelegate::sizeHint(const QStyleOptionViewItem&, const QModelIndex& index) const {
    const QSize image = index.data(Qt::SizeHintRole).toSize();
    return image + QSize(2 * (kFrameWidth + 1), 2 * (kFrameWidth + 1));
}

}  // namespace ddpm::ui
