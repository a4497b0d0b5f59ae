#include "common/HelpLabel.h"

namespace ddpm::ui {

namespace {
// The colour a fraction t of the way from a to b.
QColor mix(const QColor& a, const QColor& b, double t) {
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t), float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}
}  // namespace

QLabel* makeHelpLabel(const QString& text, const char* objectName, QWidget* parent) {
    auto* help = new QLabel(text, parent);
    help->setObjectName(objectName);
    help->setWordWrap(true);
    help->setTextFormat(Qt::RichText);
    QPalette pal = help->palette();
    pal.setColor(QPalette::WindowText, mix(pal.color(QPalette::Window), pal.color(QPalette::WindowText), 0.75));
    help->setPalette(pal);
    return help;
}

}  // namespace ddpm::ui
