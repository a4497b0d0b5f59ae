#include "dataset/LoadStatusBar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

namespace ddpm::ui {

LoadStatusBar::LoadStatusBar(QWidget* parent)
    : QFrame(parent),
      message_(new QLabel(this)),
      progress_(new QProgressBar(this)),
      cancel_(new QPushButton(tr("Cancel"), this)),
      dismiss_(new QPushButton(tr("Dismiss"), this)) {
    setObjectName("loadStatusBar");
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    defaultPalette_ = palette();

    message_->setObjectName("loadMessage");
    message_->setTextFormat(Qt::PlainText);   // paths may hold anything
    message_->setWordWrap(true);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    progress_->setObjectName("loadProgress");
    progress_->setMinimumWidth(220);
    progress_->setMaximumWidth(360);
    cancel_->setObjectName("loadCancel");
    dismiss_->setObjectName("loadDismiss");

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 10, 6);
    layout->addWidget(message_, 1);
    layout->addWidget(progress_);
    layout->addWidget(cancel_);
    layout->addWidget(dismiss_);

    connect(cancel_, &QPushButton::clicked, this, &LoadStatusBar::cancelRequested);
    connect(dismiss_, &QPushButton::clicked, this, &LoadStatusBar::clear);
    hide();
}

QString LoadStatusBar::message() const { return isHidden() ? QString() : message_->text(); }

void LoadStatusBar::showLoading(const QString& what) {
    message_->setText(tr("Loading %1…").arg(what));
    setProgress(0, 0);
    setLook(Look::Loading);
}

void LoadStatusBar::setProgress(qint64 done, qint64 total) {
    if (total <= 0) {
        progress_->setRange(0, 0);   // busy: the loader does not report how far it is
        return;
    }
    progress_->setRange(0, 1000);
    progress_->setValue(int(1000 * done / total));
    progress_->setFormat(tr("%1 / %2").arg(done).arg(total));
}

void LoadStatusBar::showError(const QString& message) {
    message_->setText(tr("Could not load the dataset: %1").arg(message));
    setLook(Look::Error);
}

void LoadStatusBar::showNotice(const QString& message) {
    message_->setText(message);
    setLook(Look::Notice);
}

void LoadStatusBar::clear() {
    message_->clear();
    hide();
}

void LoadStatusBar::setLook(Look look) {
    const bool loading = look == Look::Loading;
    progress_->setVisible(loading);
    cancel_->setVisible(loading);
    dismiss_->setVisible(!loading);
    QPalette pal = defaultPalette_;
    if (look == Look::Error) {
        pal.setColor(QPalette::Window, QColor(253, 228, 228));
        pal.setColor(QPalette::WindowText, QColor(140, 20, 20));
    } else {
        pal.setColor(QPalette::Window, QColor(232, 240, 252));
    }
    setPalette(pal);
    show();
}

}  // namespace ddpm::ui
