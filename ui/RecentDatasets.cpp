#include "RecentDatasets.h"

#include <QSettings>

#include "StudioSettings.h"

namespace ddpm::ui {

namespace {
const char kSettingsKey[] = "recentDatasets";
}

RecentDatasets::RecentDatasets(QObject* parent) : QObject(parent) {
    QSettings settings(kOrganizationName, kApplicationName);
    paths_ = settings.value(kSettingsKey).toStringList();
    paths_.removeAll(QString());
    paths_.removeDuplicates();
    while (paths_.size() > kMaxEntries) paths_.removeLast();
}

void RecentDatasets::add(const QString& path) {
    if (path.isEmpty()) return;
    paths_.removeAll(path);
    paths_.prepend(path);
    while (paths_.size() > kMaxEntries) paths_.removeLast();
    save();
    emit changed(paths_);
}

void RecentDatasets::clear() {
    paths_.clear();
    save();
    emit changed(paths_);
}

void RecentDatasets::save() {
    QSettings settings(kOrganizationName, kApplicationName);
    settings.setValue(kSettingsKey, paths_);
}

}  // namespace ddpm::ui
