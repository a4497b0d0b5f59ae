#include "common/NamedButton.h"

namespace ddpm::ui {

QPushButton* makeButton(const QString& text, const char* objectName, const QString& tip, QWidget* parent) {
    auto* button = new QPushButton(text, parent);
    button->setObjectName(objectName);
    button->setToolTip(tip);
    return button;
}

}  // namespace ddpm::ui
