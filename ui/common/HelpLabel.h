#pragma once
// The short explanation at the top of each tab: word-wrapped rich text, a
// little quieter than the content.
#include <QLabel>

namespace ddpm::ui {

QLabel* makeHelpLabel(const QString& text, const char* objectName, QWidget* parent);

}  // namespace ddpm::ui
