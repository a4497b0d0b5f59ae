#include "generation/DenoiseView.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "StudioSettings.h"
#include "common/HelpLabel.h"
#include "common/PixelImageLabel.h"
#include "common/PointsPlot.h"
#include "generation/AnimationExport.h"
#include "generation/ModelLabel.h"
#include "generation/SamplerControls.h"
#include "generation/SamplingWorker.h"
#include "generation/TrajectoryPlayer.h"

namespace ddpm::ui {

namespace {
constexpr int kRefreshMs = 40;
constexpr int kStripFrames = 10;
const char kExportFolderKey[] = "denoise/exportFolder";

}  // namespace

DenoiseView::DenoiseView(QWidget* parent)
    : QWidget(parent),
      worker_(new SamplingWorker(this)),
      refresh_(new QTimer(this)),
      controls_(new SamplerControls("denoise", 16, 64, this)),
      modelLabel_(new ModelLabel(this)),
      generate_(new QPushButton(tr("Denoise"), this)),
      cancel_(new QPushButton(tr("Cancel"), this)),
      exportMp4_(new QPushButton(tr("MP4…"), this)),
      exportApng_(new QPushButton(tr("Animated PNG…"), this)),
      exportStrip_(new QPushButton(tr("Frame strip…"), this)),
      message_(new QLabel(this)),
      picture_(new QStackedWidget(this)),
      xtImage_(new PixelImageLabel(this)),
      x0Image_(new PixelImageLabel(this)),
      attentionWord_(new QComboBox(this)),
      attentionCaption_(new QLabel(this)),
      attentionImage_(new PixelImageLabel(this)),
      points_(new PointsPlot(this)),
      stepLabel_(new QLabel(this)),
      progress_(new QProgressBar(this)),
      player_(new TrajectoryPlayer(this)) {
    setObjectName("denoiseView");
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(makeSidePanel());
    splitter->addWidget(makePicture());
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setCollapsible(1, false);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(makeHelpLabel(
        tr("<b>Reverse diffusion.</b> Sampling starts from pure noise x_T and removes a little at each step: the "
           "model predicts the noise <b>ε</b> in x_t, which gives its current guess of the clean image "
           "<b>x̂0</b> = (x_t − √(1−ᾱ_t)·ε)/√ᾱ_t, and the sampler steps to a less noisy x_t. <b>DDPM</b> walks "
           "all T steps; <b>DDIM</b> takes N larger ones, with <b>η</b> setting how much fresh noise each adds. "
           "<b>Guidance</b> pushes class-conditional models toward the chosen class, text models toward the prompt; "
           "for a word of the prompt, the third picture shows where the model attends to it at each step."),
        "denoiseHelp", this));
    layout->addWidget(splitter, 1);

    refresh_->setInterval(kRefreshMs);
    connect(refresh_, &QTimer::timeout, this, [this] {
        if (followLive_ && !trajectory_.isEmpty()) player_->setFrame(int(trajectory_.size()) - 1);
    });
    connect(worker_, &SamplingWorker::modelLoaded, this, &DenoiseView::onModelLoaded);
    connect(worker_, &SamplingWorker::modelFailed, this, [this](const QString& message) {
        model_ = ModelSummary();   // the worker let go of the old model too
        modelLabel_->showFailure(message);
        setRunning(running_);
    });
    connect(worker_, &SamplingWorker::frameReady, this, &DenoiseView::onFrame);
    connect(worker_, &SamplingWorker::progressed, this, [this](int done, int total) {
        progress_->setRange(0, total);
        progress_->setValue(done);
    });
    connect(worker_, &SamplingWorker::finished, this, &DenoiseView::onFinished);
    connect(worker_, &SamplingWorker::cancelled, this, [this](int steps) {
        onStopped(tr("Cancelled after %1 steps; the %2 frames so far can be played.").arg(steps).arg(trajectory_.size()));
        emit runCancelled();
    });
    connect(worker_, &SamplingWorker::failed, this, [this](const QString& message) { onStopped(message); });
    connect(player_, &TrajectoryPlayer::frameChanged, this, &DenoiseView::showFrame);
    connect(&exportWatcher_, &QFutureWatcher<QString>::finished, this, [this] {
        const QString error = exportWatcher_.result();
        message_->setText(error.isEmpty() ? tr("Wrote %1").arg(QDir::toNativeSeparators(exportPath_)) : error);
        for (QPushButton* b : {exportMp4_, exportApng_, exportStrip_}) b->setEnabled(!trajectory_.isEmpty());
        emit exportFinished(exportPath_, error);
    });
    setRunning(false);
}

DenoiseView::~DenoiseView() {
    worker_->cancel();
    exportWatcher_.waitForFinished();
}

QWidget* DenoiseView::makeSidePanel() {
    auto* panel = new QWidget(this);
    auto* column = new QVBoxLayout(panel);
    column->setContentsMargins(0, 0, 0, 0);
    modelLabel_->setObjectName("denoiseModel");
    generate_->setObjectName("denoiseGenerate");
    generate_->setToolTip(tr("Draw the batch from noise, step by step"));
    cancel_->setObjectName("denoiseCancel");
    cancel_->setToolTip(tr("Stop after the current step; the frames so far are kept"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(generate_);
    buttons->addWidget(cancel_);

    auto* exportBox = new QGroupBox(tr("Export the trajectory"), panel);
    auto* exportLayout = new QVBoxLayout(exportBox);
    exportMp4_->setObjectName("denoiseExportMp4");
    exportMp4_->setToolTip(tr("An MP4 video of x_t beside x̂0 at every kept step"));
    exportApng_->setObjectName("denoiseExportApng");
    exportApng_->setToolTip(tr("An animated PNG (plays in browsers; other viewers show the first frame)"));
    exportStrip_->setObjectName("denoiseExportStrip");
    exportStrip_->setToolTip(tr("One PNG with %1 steps side by side, x_t above x̂0").arg(kStripFrames));
    for (QPushButton* b : {exportMp4_, exportApng_, exportStrip_}) exportLayout->addWidget(b);
    message_->setObjectName("denoiseMessage");
    message_->setWordWrap(true);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    attentionWord_->setObjectName("denoiseAttentionWord");
    attentionWord_->setToolTip(tr("Text models: a word of the prompt. Denoising then also shows, at every step, "
                                  "where the image attends to that word (its cross-attention, averaged over the "
                                  "U-Net's blocks): where the model is drawing it."));
    auto* attentionRow = new QHBoxLayout;
    attentionRow->addWidget(new QLabel(tr("Show where it draws"), panel));
    attentionRow->addWidget(attentionWord_, 1);

    column->addWidget(modelLabel_);
    column->addWidget(controls_);
    column->addLayout(attentionRow);
    column->addLayout(buttons);
    column->addWidget(exportBox);
    column->addWidget(message_);
    column->addStretch(1);
    panel->setMaximumWidth(320);

    connect(controls_, &SamplerControls::changed, this, &DenoiseView::updateAttentionWords);
    connect(generate_, &QPushButton::clicked, this, &DenoiseView::generate);
    connect(cancel_, &QPushButton::clicked, this, &DenoiseView::cancel);
    connect(exportMp4_, &QPushButton::clicked, this, [this] { chooseExportFile(tr("MP4 video (*.mp4)"), "mp4", false); });
    connect(exportApng_, &QPushButton::clicked, this,
            [this] { chooseExportFile(tr("Animated PNG (*.png *.apng)"), "png", false); });
    connect(exportStrip_, &QPushButton::clicked, this, [this] { chooseExportFile(tr("PNG image (*.png)"), "png", true); });
    return panel;
}

QWidget* DenoiseView::makePicture() {
    auto* imagesPage = new QWidget(this);
    auto* grid = new QGridLayout(imagesPage);
    grid->setContentsMargins(0, 0, 0, 0);
    xtImage_->setObjectName("denoiseXt");
    xtImage_->setToolTip(tr("x_t: the batch at the current step, from noise (x_T) to samples (x_0)"));
    x0Image_->setObjectName("denoiseX0");
    x0Image_->setToolTip(tr("x̂0: what the model believes the finished image will be, from this step's ε"));
    auto* xtCaption = new QLabel(tr("x_t (current sample)"), imagesPage);
    auto* x0Caption = new QLabel(tr("predicted x̂0"), imagesPage);
    xtCaption->setAlignment(Qt::AlignCenter);
    x0Caption->setAlignment(Qt::AlignCenter);
    grid->addWidget(xtCaption, 0, 0);
    grid->addWidget(x0Caption, 0, 1);
    grid->addWidget(xtImage_, 1, 0);
    grid->addWidget(x0Image_, 1, 1);
    attentionImage_->setObjectName("denoiseAttention");
    attentionImage_->setToolTip(tr("Where the image attends to the chosen word of the prompt at this step (orange), "
                                   "over x̂0"));
    attentionCaption_->setAlignment(Qt::AlignCenter);
    grid->addWidget(attentionCaption_, 0, 2);
    grid->addWidget(attentionImage_, 1, 2);
    attentionCaption_->hide();   // until a run shows a word's attention
    attentionImage_->hide();
    grid->setRowStretch(1, 1);
    points_->setObjectName("denoisePoints");
    picture_->addWidget(imagesPage);
    picture_->addWidget(points_);

    auto* box = new QWidget(this);
    auto* column = new QVBoxLayout(box);
    column->setContentsMargins(0, 0, 0, 0);
    stepLabel_->setObjectName("denoiseStep");
    progress_->setObjectName("denoiseProgress");
    progress_->setTextVisible(true);
    progress_->setFormat(tr("step %v/%m"));
    auto* status = new QHBoxLayout;
    status->addWidget(stepLabel_, 1);
    status->addWidget(progress_, 1);
    column->addWidget(picture_, 1);
    column->addLayout(status);
    column->addWidget(player_);
    return box;
}

void DenoiseView::setCheckpoint(const QString& path) {
    modelLabel_->showLoading(path);
    generate_->setEnabled(false);
    worker_->setCheckpoint(path);
}

void DenoiseView::onModelLoaded(const ModelSummary& model) {
    model_ = model;
    modelLabel_->showModel(model);
    controls_->setModel(model);
    updateAttentionWords();
    picture_->setCurrentWidget(model.space.isPoints() ? static_cast<QWidget*>(points_) : picture_->widget(0));
    points_->setBackdrop(model.dataPoints, tr("training data"));
    setRunning(running_);
    emit modelReady(model);
}

void DenoiseView::generate() {
    if (running_ || !hasModel()) return;
    trajectory_.clear();
    player_->setFrameCount(0);
    shownFrame_ = -1;
    followLive_ = true;
    message_->clear();
    lastRequest_.parameters = controls_->parameters();
    lastRequest_.keepFrames = true;
    lastRequest_.attentionToken = attentionWord_->currentData().toInt();   // -1: none; word k is token k + 1
    const bool attention = lastRequest_.attentionToken > 0;
    attentionCaption_->setText(attention ? tr("attention to “%1”").arg(attentionWord_->currentText()) : QString());
    attentionCaption_->setVisible(attention);
    attentionImage_->setVisible(attention);
    attentionImage_->setImage(QImage());
    setRunning(true);
    worker_->sample(lastRequest_);
}

void DenoiseView::cancel() {
    if (running_) worker_->cancel();
}

void DenoiseView::onFrame(const SamplingFrame& frame) {
    trajectory_.append(frame);
    player_->setFrameCount(int(trajectory_.size()));
    if (!refresh_->isActive()) refresh_->start();
}

void DenoiseView::onFinished() {
    refresh_->stop();
    setRunning(false);
    player_->setFrame(int(trajectory_.size()) - 1);
    message_->setText(tr("Done: %1 frames kept. Play or scrub them below, or export them.").arg(trajectory_.size()));
    emit runFinished();
}

void DenoiseView::onStopped(const QString& message) {
    refresh_->stop();
    setRunning(false);
    if (!trajectory_.isEmpty()) player_->setFrame(int(trajectory_.size()) - 1);
    message_->setText(message);
}

void DenoiseView::setRunning(bool running) {
    running_ = running;
    generate_->setEnabled(!running && hasModel());
    cancel_->setEnabled(running);
    controls_->setEnabled(!running);
    attentionWord_->setEnabled(!running && attentionWord_->count() > 1);
    for (QPushButton* b : {exportMp4_, exportApng_, exportStrip_})
        b->setEnabled(!running && !trajectory_.isEmpty() && !exportWatcher_.isRunning());
    if (!running && trajectory_.isEmpty()) progress_->reset();
}

void DenoiseView::showFrame(int index) {
    if (index < 0 || index >= trajectory_.size()) return;
    // Scrubbing while sampling stops following the newest frame until the run ends.
    if (running_ && index != trajectory_.size() - 1) followLive_ = false;
    shownFrame_ = index;
    const SamplingFrame& f = trajectory_[index];
    stepLabel_->setText(f.index == 0 ? tr("x_T: pure noise (T = %1)").arg(f.t)
                                     : tr("step %1 of %2 · t = %3").arg(f.index).arg(f.total).arg(f.t));
    if (model_.space.isPoints()) {
        points_->setPoints(f.xtPoints, tr("x_t"));
        QVector<QVector<QPointF>> paths(f.xtPoints.size());
        for (int k = 0; k <= index; ++k)
            for (int i = 0; i < paths.size() && i < trajectory_[k].xtPoints.size(); ++i)
                paths[i].append(trajectory_[k].xtPoints[i]);
        points_->setPaths(paths);
    } else {
        xtImage_->setImage(f.xt);
        x0Image_->setImage(f.x0);
        x0Image_->setText(f.x0.isNull() ? tr("(no prediction yet)") : QString());
        attentionImage_->setImage(f.attention);
    }
}

void DenoiseView::updateAttentionWords() {
    const QStringList words = controls_->promptTokens();
    const QString previous = attentionWord_->currentText();
    const QSignalBlocker block(attentionWord_);
    attentionWord_->clear();
    attentionWord_->addItem(tr("(no word)"), -1);
    for (int k = 0; k < words.size(); ++k) attentionWord_->addItem(words[k], k + 1);
    attentionWord_->setCurrentIndex(std::max(0, attentionWord_->findText(previous)));
    attentionWord_->setEnabled(!words.isEmpty() && !running_);
}

void DenoiseView::chooseExportFile(const QString& filter, const QString& suffix, bool strip) {
    QSettings settings(kOrganizationName, kApplicationName);
    const QString folder = settings.value(kExportFolderKey, QDir::homePath()).toString();
    QFileDialog dialog(this, strip ? tr("Export Frame Strip") : tr("Export Animation"), folder, filter);
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setDefaultSuffix(suffix);
    dialog.selectFile(QStringLiteral("denoising.%1").arg(suffix));
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty()) return;
    const QString path = dialog.selectedFiles().constFirst();
    settings.setValue(kExportFolderKey, QFileInfo(path).absolutePath());
    strip ? exportStrip(path) : exportAnimation(path);
}

void DenoiseView::exportAnimation(const QString& path) {
    const AnimationFormat format =
        QFileInfo(path).suffix().compare("mp4", Qt::CaseInsensitive) == 0 ? AnimationFormat::Mp4 : AnimationFormat::Apng;
    runExport(path, [path, format, frames = trajectory_, fps = player_->framesPerSecond()] {
        writeAnimation(path, format, frames, fps);
    });
}

void DenoiseView::exportStrip(const QString& path) {
    runExport(path, [path, frames = trajectory_, text = ddpm::toPngText(lastRequest_.parameters, model_.timesteps)] {
        writeFrameStrip(path, frames, kStripFrames, text);
    });
}

void DenoiseView::runExport(const QString& path, std::function<void()> work) {
    if (exportWatcher_.isRunning()) return;
    exportPath_ = path;
    message_->setText(tr("Writing %1…").arg(QDir::toNativeSeparators(path)));
    for (QPushButton* b : {exportMp4_, exportApng_, exportStrip_}) b->setEnabled(false);
    exportWatcher_.setFuture(QtConcurrent::run([work = std::move(work)]() -> QString {
        try {
            work();
            return {};
        } catch (const std::exception& e) {
            return QString::fromStdString(e.what());
        }
    }));
}

}  // namespace ddpm::ui
