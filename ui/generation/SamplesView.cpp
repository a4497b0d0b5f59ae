#include "generation/SamplesView.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QVBoxLayout>

#include "StudioSettings.h"
#include "common/HelpLabel.h"
#include "common/PixelImageLabel.h"
#include "common/PointsPlot.h"
#include "generation/ModelLabel.h"
#include "generation/SampleFiles.h"
#include "generation/SamplerControls.h"
#include "generation/SamplingWorker.h"

namespace ddpm::ui {

namespace {

constexpr int kMaxRowPrompts = 64;

// A grid of row prompts is a row of the batch per prompt; otherwise about square.
int gridColumnsOf(const SamplingResult& result) {
    return result.request.rowPrompts.isEmpty() ? 0 : int(result.request.parameters.count);
}
constexpr int kShownPadding = 2;
const char kPaddingKey[] = "samples/exportPadding";
const char kExportFolderKey[] = "samples/exportFolder";
}  // namespace

SamplesView::SamplesView(QWidget* parent)
    : QWidget(parent),
      worker_(new SamplingWorker(this)),
      controls_(new SamplerControls("samples", 64, 256, this)),
      modelLabel_(new ModelLabel(this)),
      generate_(new QPushButton(tr("Generate"), this)),
      cancel_(new QPushButton(tr("Cancel"), this)),
      progress_(new QProgressBar(this)),
      padding_(new QSpinBox(this)),
      rowPromptsLabel_(new QLabel(tr("Prompts, one per row (optional)"), this)),
      rowPrompts_(new QPlainTextEdit(this)),
      export_(new QPushButton(tr("Export PNG…"), this)),
      message_(new QLabel(this)),
      picture_(new QStackedWidget(this)),
      grid_(new PixelImageLabel(this)),
      points_(new PointsPlot(this)) {
    setObjectName("samplesView");
    grid_->setObjectName("samplesGrid");
    grid_->setToolTip(tr("The samples, in batch order"));
    points_->setObjectName("samplesPoints");
    picture_->addWidget(grid_);
    picture_->addWidget(points_);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(makeSidePanel());
    splitter->addWidget(picture_);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setCollapsible(1, false);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(makeHelpLabel(
        tr("<b>Samples.</b> Draw a grid of new images from the model: each starts as Gaussian noise (<b>ε</b>, "
           "fixed by the seed) and is denoised with <b>DDPM</b> (all T steps) or <b>DDIM</b> (N steps; "
           "<b>η</b> = 0 is deterministic). Class-conditional models take a class, text models a prompt, and both a <b>guidance</b> scale. "
           "An exported PNG remembers these settings: drop it on the window to get them back."),
        "samplesHelp", this));
    layout->addWidget(splitter, 1);

    connect(worker_, &SamplingWorker::modelLoaded, this, &SamplesView::onModelLoaded);
    connect(worker_, &SamplingWorker::modelFailed, this, [this](const QString& message) {
        model_ = ModelSummary();   // the worker let go of the old model too
        modelLabel_->showFailure(message);
        setRunning(running_);
    });
    connect(worker_, &SamplingWorker::progressed, this, [this](int done, int total) {
        progress_->setRange(0, total);
        progress_->setValue(done);
    });
    connect(worker_, &SamplingWorker::finished, this, &SamplesView::onFinished);
    connect(worker_, &SamplingWorker::cancelled, this, [this] {
        setRunning(false);
        message_->setText(tr("Cancelled; the previous grid is still shown."));
        emit runStopped();
    });
    connect(worker_, &SamplingWorker::failed, this, [this](const QString& message) {
        setRunning(false);
        message_->setText(message);
        emit runStopped();
    });

    QSettings settings(kOrganizationName, kApplicationName);
    padding_->setValue(settings.value(kPaddingKey, 2).toInt());
    setRunning(false);
}

SamplesView::~SamplesView() {
    QSettings settings(kOrganizationName, kApplicationName);
    settings.setValue(kPaddingKey, padding_->value());
}

QWidget* SamplesView::makeSidePanel() {
    auto* panel = new QWidget(this);
    auto* column = new QVBoxLayout(panel);
    column->setContentsMargins(0, 0, 0, 0);
    modelLabel_->setObjectName("samplesModel");
    generate_->setObjectName("samplesGenerate");
    generate_->setToolTip(tr("Draw the grid with these settings"));
    cancel_->setObjectName("samplesCancel");
    progress_->setObjectName("samplesProgress");
    progress_->setFormat(tr("step %v/%m"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(generate_);
    buttons->addWidget(cancel_);

    auto* exportBox = new QGroupBox(tr("Export"), panel);
    auto* form = new QFormLayout(exportBox);
    padding_->setObjectName("samplesPadding");
    padding_->setRange(0, 32);
    padding_->setSuffix(tr(" px"));
    padding_->setToolTip(tr("Black pixels around and between the samples in the exported PNG"));
    export_->setObjectName("samplesExport");
    export_->setToolTip(tr("Save the grid as a PNG; the sampling settings go into its text chunks"));
    form->addRow(tr("Padding"), padding_);
    form->addRow(export_);
    message_->setObjectName("samplesMessage");
    message_->setWordWrap(true);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    rowPrompts_->setObjectName("samplesRowPrompts");
    rowPrompts_->setToolTip(tr("Text models: a row of the grid for each line, every row from the same noise, so "
                               "that the rows differ only by their prompts. Empty: the Prompt field's one batch."));
    rowPrompts_->setMaximumHeight(80);
    rowPromptsLabel_->hide();
    rowPrompts_->hide();

    column->addWidget(modelLabel_);
    column->addWidget(controls_);
    column->addWidget(rowPromptsLabel_);
    column->addWidget(rowPrompts_);
    column->addLayout(buttons);
    column->addWidget(progress_);
    column->addWidget(exportBox);
    column->addWidget(message_);
    column->addStretch(1);
    panel->setMaximumWidth(320);

    connect(generate_, &QPushButton::clicked, this, &SamplesView::generate);
    connect(cancel_, &QPushButton::clicked, this, &SamplesView::cancel);
    connect(export_, &QPushButton::clicked, this, &SamplesView::showExportDialog);
    return panel;
}

QImage SamplesView::gridImage() const { return grid_->image(); }

bool SamplesView::carriesSamplingParameters(const QString& path) {
    try {
        return readSamplingParameters(path).has_value();
    } catch (const std::invalid_argument&) {
        return true;   // ours, but damaged: restoreFromPng says what is wrong
    }
}

void SamplesView::setCheckpoint(const QString& path) {
    modelLabel_->showLoading(path);
    generate_->setEnabled(false);
    worker_->setCheckpoint(path);
}

void SamplesView::onModelLoaded(const ModelSummary& model) {
    model_ = model;
    modelLabel_->showModel(model);
    controls_->setModel(model);
    rowPromptsLabel_->setVisible(model.takesPrompts());
    rowPrompts_->setVisible(model.takesPrompts());
    rowPrompts_->setPlaceholderText(model.examplePrompts.isEmpty() ? tr("one prompt per line") : model.examplePrompts.join('\n'));
    picture_->setCurrentWidget(model.space.isPoints() ? static_cast<QWidget*>(points_) : grid_);
    points_->setBackdrop(model.dataPoints, tr("training data"));
    setRunning(running_);
    emit modelReady(model);
}

void SamplesView::setRowPrompts(const QStringList& prompts) { rowPrompts_->setPlainText(prompts.join('\n')); }

void SamplesView::generate() {
    if (running_ || !hasModel()) return;
    SamplingRequest request;
    request.parameters = controls_->parameters();
    request.keepFrames = false;
    if (model_.takesPrompts())
        for (const QString& line : rowPrompts_->toPlainText().split('\n'))
            if (!line.trimmed().isEmpty() && request.rowPrompts.size() < kMaxRowPrompts) request.rowPrompts << line.trimmed();
    message_->clear();
    setRunning(true);
    worker_->sample(request);
}

void SamplesView::cancel() {
    if (running_) worker_->cancel();
}

void SamplesView::onFinished(const SamplingResult& result) {
    result_ = result;
    setRunning(false);
    if (model_.space.isPoints()) points_->setPoints(result.points, tr("samples"));
    else grid_->setImage(sampleGrid(result.images, kShownPadding, gridColumnsOf(result)));
    message_->setText(tr("%n sample(s) drawn.", nullptr, int(model_.space.isPoints() ? result.points.size() : result.images.size())));
    emit runFinished();
}

void SamplesView::setRunning(bool running) {
    running_ = running;
    generate_->setEnabled(!running && hasModel());
    cancel_->setEnabled(running);
    controls_->setEnabled(!running);
    export_->setEnabled(!running && (!result_.images.isEmpty() || !result_.points.isEmpty()));
    progress_->setVisible(running);
    if (!running) progress_->reset();
}

void SamplesView::showExportDialog() {
    QSettings settings(kOrganizationName, kApplicationName);
    const QString folder = settings.value(kExportFolderKey, QDir::homePath()).toString();
    QFileDialog dialog(this, tr("Export Samples"), folder, tr("PNG image (*.png)"));
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setDefaultSuffix("png");
    dialog.selectFile("samples.png");
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty()) return;
    const QString path = dialog.selectedFiles().constFirst();
    settings.setValue(kExportFolderKey, QFileInfo(path).absolutePath());
    exportPng(path);
}

bool SamplesView::exportPng(const QString& path) {
    if (result_.images.isEmpty() && result_.points.isEmpty()) {
        message_->setText(tr("Nothing to export yet: generate a grid first."));
        return false;
    }
    try {
        // Points have no pixels of their own: the plot as it is shown is the picture.
        const QImage picture = model_.space.isPoints() ? points_->toPixmap(600, 600).toImage()
                                             : sampleGrid(result_.images, padding_->value(), gridColumnsOf(result_));
        auto text = ddpm::toPngText(result_.request.parameters, model_.timesteps);
        if (!result_.request.rowPrompts.isEmpty()) {
            text.erase("ddpm:prompt");
            text["ddpm:prompts"] = result_.request.rowPrompts.join('\n').toStdString();   // one per row
        }
        writeSamplePng(path, picture, text);
    } catch (const std::exception& e) {
        message_->setText(QString::fromStdString(e.what()));
        return false;
    }
    message_->setText(tr("Wrote %1").arg(QDir::toNativeSeparators(path)));
    return true;
}

bool SamplesView::restoreFromPng(const QString& path) {
    try {
        const auto parameters = readSamplingParameters(path);
        if (!parameters) {
            message_->setText(tr("%1: no DDPM Studio sampling parameters in this file").arg(QDir::toNativeSeparators(path)));
            return false;
        }
        controls_->setParameters(*parameters);
        // A grid of a row per prompt brings its rows back; any other grid clears them.
        setRowPrompts(readRowPrompts(path));
        QString note = tr("Settings restored from %1.").arg(QFileInfo(path).fileName());
        const QString drawnWith = QString::fromStdString(parameters->checkpoint);
        if (!drawnWith.isEmpty() && drawnWith != QFileInfo(model_.path).fileName())
            note += tr(" They were drawn with %1; the loaded model is %2.")
                        .arg(drawnWith, model_.path.isEmpty() ? tr("none") : QFileInfo(model_.path).fileName());
        message_->setText(note);
        return true;
    } catch (const std::exception& e) {
        message_->setText(tr("%1: %2").arg(QDir::toNativeSeparators(path), QString::fromStdString(e.what())));
        return false;
    }
}

}  // namespace ddpm::ui
