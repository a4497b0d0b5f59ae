#pragma once
// The one place that names where the app keeps its settings (QSettings), so
// every window and tab reads and writes the same file.
#include <QSettings>

namespace ddpm::ui {

inline constexpr char kOrganizationName[] = "DDPM Studio";
inline constexpr char kApplicationName[] = "ddpm-studio";

// QSettings is a QObject and cannot be returned by value; make one per use:
//   QSettings settings(kOrganizationName, kApplicationName);

}  // namespace ddpm::ui
