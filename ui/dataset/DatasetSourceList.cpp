#include "dataset/DatasetSourceList.h"

#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QVBoxLayout>

#include "data/DatasetLoader.h"

namespace ddpm::ui {

namespace {

constexpr int kSourceRole = Qt::UserRole;   // the path or built-in name to load

QString unavailableReason(const QString& name) {
    if (name == "fashion-mnist")
        return QObject::tr("Not installed on this computer: install Debian's dataset-fashion-mnist package.");
    return QObject::tr("Not available on this computer.");
}

QLabel* heading(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

}  // namespace

DatasetSourceList::DatasetSourceList(QWidget* parent)
    : QWidget(parent), builtins_(new QListWidget(this)), recents_(new QListWidget(this)) {
    builtins_->setObjectName("builtinDatasets");
    recents_->setObjectName("recentDatasets");
    for (QListWidget* list : {builtins_, recents_}) {
        list->setUniformItemSizes(true);
        // Clicks only: itemActivated also fires on a click under some styles, which would load twice.
        connect(list, &QListWidget::itemClicked, this, &DatasetSourceList::activate);
    }
    recents_->setTextElideMode(Qt::ElideMiddle);
    // The built-ins are few: show them all, give the rest of the height to the recent list.
    builtins_->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    builtins_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(heading(tr("Built-in datasets"), this));
    layout->addWidget(builtins_);
    layout->addSpacing(6);
    layout->addWidget(heading(tr("Recently opened"), this));
    layout->addWidget(recents_, 1);

    fillBuiltins();
    setRecentPaths({});
}

void DatasetSourceList::fillBuiltins() {
    for (const ddpm::BuiltinDataset& builtin : ddpm::builtinDatasets()) {
        const QString name = QString::fromStdString(builtin.name);
        const QString description = QString::fromStdString(builtin.description);
        auto* item = new QListWidgetItem(name, builtins_);
        item->setData(kSourceRole, name);
        if (builtin.available) {
            item->setToolTip(description);
        } else {
            item->setFlags(item->flags() & ~(Qt::ItemIsEnabled | Qt::ItemIsSelectable));
            item->setToolTip(description + "\n" + unavailableReason(name));
        }
    }
}

void DatasetSourceList::setRecentPaths(const QStringList& paths) {
    recents_->clear();
    for (const QString& path : paths) {
        const QFileInfo info(path);
        const QString shown = info.fileName().isEmpty() ? path : info.fileName();
        auto* item = new QListWidgetItem(shown, recents_);
        item->setData(kSourceRole, path);
        item->setToolTip(QDir::toNativeSeparators(path));
    }
    if (paths.isEmpty()) {
        auto* placeholder = new QListWidgetItem(tr("(none yet: drop a folder here)"), recents_);
        placeholder->setFlags(Qt::NoItemFlags);
    }
    setCurrentSource(current_);
}

void DatasetSourceList::setCurrentSource(const QString& pathOrName) {
    current_ = pathOrName;
    for (QListWidget* list : {builtins_, recents_}) {
        list->clearSelection();
        for (int i = 0; i < list->count(); ++i)
            if (list->item(i)->data(kSourceRole).toString() == pathOrName) list->setCurrentRow(i);
    }
}

void DatasetSourceList::activate(QListWidgetItem* item) {
    if (!item || !(item->flags() & Qt::ItemIsEnabled)) return;
    const QString source = item->data(kSourceRole).toString();
    if (!source.isEmpty()) emit sourceActivated(source);
}

}  // namespace ddpm::ui
