#include "generation/ModelLabel.h"

#include <QDir>
#include <QFileInfo>

namespace ddpm::ui {

ModelLabel::ModelLabel(QWidget* parent) : QLabel(parent) {
    setWordWrap(true);
    setTextFormat(Qt::RichText);
    setText(tr("No model loaded yet (File ▸ Open Checkpoint…)"));
}

void ModelLabel::showLoading(const QString& path) {
    setText(tr("Loading %1…").arg(QFileInfo(path).fileName().toHtmlEscaped()));
    setToolTip(QDir::toNativeSeparators(path));
}

void ModelLabel::showModel(const ModelSummary& model) {
    setText(tr("<b>%1</b><br>%2").arg(QFileInfo(model.path).fileName().toHtmlEscaped(), model.description.toHtmlEscaped()));
    setToolTip(QDir::toNativeSeparators(model.path));
}

void ModelLabel::showFailure(const QString& message) { setText(tr("No model: %1").arg(message.toHtmlEscaped())); }

}  // namespace ddpm::ui
