#pragma once
// The chosen image, enlarged with crisp pixels, and what it is:
// index, class and split.
#include <QGroupBox>

#include "dataset/DatasetPtr.h"

class QLabel;

namespace ddpm::ui {

class ChosenImagePanel : public QGroupBox {
    Q_OBJECT

public:
    static constexpr int kImageSide = 224;

    explicit ChosenImagePanel(QWidget* parent = nullptr);

    QString caption() const;

public slots:
    // index -1 (or a point dataset) shows nothing.
    void showImage(const DatasetPtr& dataset, int index);

private:
    QLabel* image_;
    QLabel* caption_;
};

}  // namespace ddpm::ui
