#pragma once
// What the loaded dataset is: name, format, source, count, resolution, the
// classes with their counts, the train / held-out split, and the files a
// folder load skipped with the reason for each.
#include <QWidget>

#include "dataset/DatasetPtr.h"

class QFormLayout;
class QGroupBox;
class QLabel;
class QTreeWidget;

namespace ddpm::ui {

class DatasetSummaryPanel : public QWidget {
    Q_OBJECT

public:
    explicit DatasetSummaryPanel(QWidget* parent = nullptr);

public slots:
    void showDataset(const DatasetPtr& dataset);   // nullptr: empty

private:
    QLabel* addRow(const QString& label, const char* objectName);

    QFormLayout* form_;
    QLabel* name_;
    QLabel* format_;
    QLabel* source_;
    QLabel* count_;
    QLabel* resolution_;
    QLabel* split_;
    QGroupBox* classesBox_;
    QTreeWidget* classes_;
    QGroupBox* skippedBox_;
    QTreeWidget* skipped_;
};

}  // namespace ddpm::ui
