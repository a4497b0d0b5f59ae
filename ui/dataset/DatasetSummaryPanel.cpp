#include "dataset/DatasetSummaryPanel.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace ddpm::ui {

namespace {

QTreeWidget* makeTable(const QStringList& headers, const char* objectName, QWidget* parent) {
    auto* table = new QTreeWidget(parent);
    table->setObjectName(objectName);
    table->setHeaderLabels(headers);
    table->setRootIsDecorated(false);
    table->setUniformRowHeights(true);
    table->setAlternatingRowColors(true);
    table->header()->setStretchLastSection(false);
    table->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int c = 1; c < headers.size(); ++c) table->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    return table;
}

QString number(int64_t n) { return QLocale().toString(qlonglong(n)); }

QString percent(int64_t part, int64_t whole) {
    return whole > 0 ? QLocale().toString(100.0 * double(part) / double(whole), 'f', 1) + " %" : QString();
}

}  // namespace

DatasetSummaryPanel::DatasetSummaryPanel(QWidget* parent)
    : QWidget(parent), form_(new QFormLayout) {
    form_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form_->setLabelAlignment(Qt::AlignLeft);
    name_ = addRow(tr("Name"), "summaryName");
    format_ = addRow(tr("Format"), "summaryFormat");
    source_ = addRow(tr("Source"), "summarySource");
    count_ = addRow(tr("Count"), "summaryCount");
    resolution_ = addRow(tr("Resolution"), "summaryResolution");
    split_ = addRow(tr("Split"), "summarySplit");
    source_->setWordWrap(true);
    source_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* summaryBox = new QGroupBox(tr("Summary"), this);
    summaryBox->setLayout(form_);

    classesBox_ = new QGroupBox(tr("Classes"), this);
    classes_ = makeTable({tr("Class"), tr("Count"), tr("Share")}, "summaryClasses", classesBox_);
    (new QVBoxLayout(classesBox_))->addWidget(classes_);

    skippedBox_ = new QGroupBox(tr("Skipped files"), this);
    skipped_ = makeTable({tr("File"), tr("Reason")}, "summarySkipped", skippedBox_);
    skipped_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    skipped_->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    skipped_->setUniformRowHeights(false);
    skipped_->setWordWrap(true);   // reasons are sentences
    (new QVBoxLayout(skippedBox_))->addWidget(skipped_);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(summaryBox);
    layout->addWidget(classesBox_, 2);
    layout->addWidget(skippedBox_, 1);

    showDataset(nullptr);
}

QLabel* DatasetSummaryPanel::addRow(const QString& label, const char* objectName) {
    auto* value = new QLabel(this);
    value->setObjectName(objectName);
    value->setTextFormat(Qt::PlainText);
    form_->addRow(label + ":", value);
    return value;
}

void DatasetSummaryPanel::showDataset(const DatasetPtr& dataset) {
    classes_->clear();
    skipped_->clear();
    if (!dataset) {
        for (QLabel* value : {name_, format_, source_, count_, resolution_, split_}) value->setText("–");
        classesBox_->hide();
        skippedBox_->hide();
        return;
    }
    const ddpm::Dataset& d = *dataset;
    name_->setText(QString::fromStdString(d.name));
    format_->setText(QString::fromStdString(d.format));
    source_->setText(QString::fromStdString(d.source));
    source_->setToolTip(source_->text());
    count_->setText(d.isPoints() ? tr("%1 points").arg(number(d.count)) : tr("%1 images").arg(number(d.count)));
    resolution_->setText(d.isPoints() ? tr("2-D points (x, y)")
                                      : QStringLiteral("%1 × %2 × %3").arg(d.width).arg(d.height).arg(d.channels));
    split_->setText(tr("%1 train, %2 held out").arg(number(d.trainCount), number(d.heldOutCount())));

    classesBox_->setVisible(d.hasLabels());
    if (d.hasLabels()) {
        classesBox_->setTitle(tr("Classes (%1)").arg(d.numClasses()));
        const std::vector<int64_t> counts = d.classCounts();
        QList<QTreeWidgetItem*> rows;
        for (size_t c = 0; c < counts.size(); ++c) {
            auto* row = new QTreeWidgetItem({QString::fromStdString(d.classNames[c]), number(counts[c]),
                                             percent(counts[c], d.count)});
            row->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
            row->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
            rows.append(row);
        }
        classes_->addTopLevelItems(rows);
    }

    skippedBox_->setVisible(!d.skipped.empty());
    if (!d.skipped.empty()) {
        skippedBox_->setTitle(tr("Skipped files (%1)").arg(number(int64_t(d.skipped.size()))));
        QList<QTreeWidgetItem*> rows;
        const QString folder = QString::fromStdString(d.source) + '/';
        for (const ddpm::SkippedFile& file : d.skipped) {
            const QString path = QString::fromStdString(file.path), reason = QString::fromStdString(file.reason);
            // Inside the dataset's folder the relative path says it all ("cats/broken.png").
            const QString shown = path.startsWith(folder) ? path.mid(folder.size()) : path;
            auto* row = new QTreeWidgetItem({shown, reason});
            row->setToolTip(0, path);
            row->setToolTip(1, reason);
            rows.append(row);
        }
        skipped_->addTopLevelItems(rows);
    }
}

}  // namespace ddpm::ui
