#pragma once
// A push button with the object name tests and style sheets find it by and a tooltip.
#include <QPushButton>

namespace ddpm::ui {

QPushButton* makeButton(const QString& text, const char* objectName, const QString& tip, QWidget* parent);

}  // namespace ddpm::ui
