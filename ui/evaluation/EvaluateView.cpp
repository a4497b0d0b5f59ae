#include "evaluation/EvaluateView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>
#include <qcustomplot.h>

#include "common/HelpLabel.h"
#include "common/NamedButton.h"
#include "dataset/DatasetView.h"
#include "evaluation/EvaluationWorker.h"
#include "evaluation/ScoresCsv.h"
#include "training/RunFolder.h"
#include "training/TrainView.h"

namespace ddpm::ui {

namespace {

enum Column { StepColumn, FidColumn, KidColumn, ConfidentColumn, ClassMatchColumn, FileColumn, ColumnCount };

const QColor kFidColor(31, 119, 180);
const QColor kKidColor(214, 39, 40);

void styleGraph(QCPGraph* graph, const QColor& color, const QString& name) {
    graph->setName(name);
    graph->setPen(QPen(color, 2));
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, color, 8));
}

}  // namespace

EvaluateView::EvaluateView(DatasetView* datasetView, TrainView* trainView, QWidget* parent)
    : QWidget(parent), datasetView_(datasetView), trainView_(trainView), worker_(new EvaluationWorker(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(makeHelpLabel(
        tr("How close a run's samples come to the held-out images of the dataset loaded in the Dataset tab, at each "
           "saved step: <b>FID</b> (Fréchet distance of feature statistics) and <b>KID</b> (kernel distance, unbiased, "
           "± its spread over subsets); lower is better for both. For a model asked for classes or prompts, <b>class "
           "match</b> is the share of samples the classifier puts in the class asked for. The Train tab keeps a "
           "snapshot at every autosave in the run folder's <i>checkpoints/</i>."),
        "evaluateHelp", this));
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(makeSettings());
    splitter->addWidget(makeResults());
    splitter->setStretchFactor(1, 1);
    layout->addWidget(splitter, 1);

    connect(worker_, &EvaluationWorker::started, this, [this](int checkpoints) {
        progress_->setRange(0, checkpoints * 100);
        showStatus(tr("Evaluating %n checkpoint(s)…", nullptr, checkpoints));
    });
    connect(worker_, &EvaluationWorker::progressed, this,
            [this](int checkpoint, int checkpoints, const QString& stage, qint64 done, qint64 total) {
                if (stage == "reading") return;   // the range is set once the steps are known
                progress_->setValue(checkpoint * 100 + int(total > 0 ? 100 * done / total : 0));
                progress_->setFormat(tr("Checkpoint %1 of %2: %3 %p%").arg(checkpoint + 1).arg(checkpoints).arg(stage));
            });
    connect(worker_, &EvaluationWorker::scored, this, &EvaluateView::addScore);
    connect(worker_, &EvaluationWorker::finished, this, [this](int scored) {
        setRunning(false);
        showStatus(tr("Evaluated %n checkpoint(s).", nullptr, scored));
    });
    connect(worker_, &EvaluationWorker::cancelled, this, [this](int scored) {
        setRunning(false);
        showStatus(tr("Cancelled; %n checkpoint(s) were scored before.", nullptr, scored));
    });
    connect(worker_, &EvaluationWorker::failed, this, [this](const QString& message) {
        setRunning(false);
        showStatus(message, true);
    });
    setRunning(false);
    clearScores();
}

EvaluateView::~EvaluateView() = default;

QWidget* EvaluateView::makeSettings() {
    auto* panel = new QWidget(this);
    auto* layout = new QVBoxLayout(panel);

    source_ = new QLabel(tr("No checkpoints chosen."), panel);
    source_->setObjectName("evaluateSource");
    source_->setWordWrap(true);
    auto* pickFolder = makeButton(tr("Run Folder…"), "chooseRunFolder",
                                  tr("A Train tab run folder: its checkpoints/step-*.ckpt and model.ckpt"), panel);
    auto* pickFiles = makeButton(tr("Checkpoints…"), "chooseCheckpoints", tr("One or more *.ckpt files"), panel);
    auto* trainRun = makeButton(tr("Train Tab's Run"), "useTrainRun", tr("The run folder the Train tab writes to"),
                                panel);
    connect(pickFolder, &QPushButton::clicked, this, &EvaluateView::chooseRunFolder);
    connect(pickFiles, &QPushButton::clicked, this, &EvaluateView::chooseCheckpointFiles);
    connect(trainRun, &QPushButton::clicked, this, [this] {
        followsTrainRun_ = true;
        setRunFolder(trainView_->runFolder());
    });
    auto* pickRow = new QHBoxLayout;
    pickRow->addWidget(pickFolder);
    pickRow->addWidget(pickFiles);
    pickRow->addWidget(trainRun);
    layout->addWidget(source_);
    layout->addLayout(pickRow);

    auto* form = new QFormLayout;
    sampleCount_ = new QSpinBox(panel);
    sampleCount_->setObjectName("sampleCount");
    sampleCount_->setRange(2, 50000);
    sampleCount_->setValue(kDefaultSampleCount);
    sampleCount_->setToolTip(tr("Samples drawn per checkpoint. Few samples bias FID upwards: compare numbers made "
                                "with the same count. ddpm eval's default is 10,000 or the held-out size."));
    samplerSteps_ = new QSpinBox(panel);
    samplerSteps_->setObjectName("samplerSteps");
    samplerSteps_->setRange(1, 1000);
    samplerSteps_->setValue(20);
    samplerSteps_->setToolTip(tr("DDIM steps per sample (deterministic, η = 0)"));
    features_ = new QComboBox(panel);
    features_->setObjectName("featureKind");
    features_->addItem(tr("Built-in classifier"), "builtin");
    features_->addItem(tr("Feature file"), "file");
    features_->setToolTip(tr("The network whose features are compared. MNIST and Fashion-MNIST have a built-in "
                             "one; other data needs a *.classifier (ddpm train-classifier) or a TorchScript "
                             "Inception *.pt."));
    featureFile_ = new QLineEdit(panel);
    featureFile_->setObjectName("featureFile");
    featureFile_->setPlaceholderText(tr("*.classifier or TorchScript *.pt"));
    auto* browseFeatures = makeButton(tr("…"), "chooseFeatureFile", tr("Choose a feature file"), panel);
    browseFeatures->setMaximumWidth(browseFeatures->fontMetrics().horizontalAdvance("…") + 24);
    connect(browseFeatures, &QPushButton::clicked, this, &EvaluateView::chooseFeatureFile);
    auto updateFeatureFile = [this, browseFeatures] {
        const bool file = features_->currentData() == "file";
        featureFile_->setEnabled(file);
        browseFeatures->setEnabled(file);
    };
    connect(features_, &QComboBox::currentIndexChanged, this, updateFeatureFile);
    updateFeatureFile();
    auto* featureRow = new QHBoxLayout;
    featureRow->addWidget(featureFile_, 1);
    featureRow->addWidget(browseFeatures);
    form->addRow(tr("Samples"), sampleCount_);
    form->addRow(tr("DDIM steps"), samplerSteps_);
    form->addRow(tr("Features"), features_);
    form->addRow(QString(), featureRow);
    heldOutCaptions_ = new QCheckBox(tr("Ask by the held-out captions"), panel);
    heldOutCaptions_->setObjectName("heldOutCaptions");
    heldOutCaptions_->setToolTip(tr("Text models: sample i is drawn with the caption of the i-th held-out image, and "
                                    "the class match counts the samples the classifier puts in that image's class "
                                    "(ddpm eval --held-out-captions). Needs a dataset with captions and classes, and "
                                    "a classifier as the features."));
    form->addRow(QString(), heldOutCaptions_);
    layout->addLayout(form);
    auto* note = new QLabel(tr("%1 samples keep a CPU evaluation to minutes; the full measure (ddpm eval) uses "
                               "10,000 or the held-out size.")
                                .arg(kDefaultSampleCount),
                            panel);
    note->setWordWrap(true);
    note->setEnabled(false);   // quieter text
    layout->addWidget(note);

    evaluate_ = makeButton(tr("Evaluate"), "evaluateButton", tr("Score every checkpoint, in step order"), panel);
    cancel_ = makeButton(tr("Cancel"), "cancelEvaluationButton", tr("Stop; the scores so far stay"), panel);
    connect(evaluate_, &QPushButton::clicked, this, &EvaluateView::evaluate);
    connect(cancel_, &QPushButton::clicked, this, &EvaluateView::cancel);
    auto* runRow = new QHBoxLayout;
    runRow->addWidget(evaluate_);
    runRow->addWidget(cancel_);
    layout->addLayout(runRow);
    progress_ = new QProgressBar(panel);
    progress_->setObjectName("evaluationProgress");
    layout->addWidget(progress_);
    status_ = new QLabel(panel);
    status_->setObjectName("evaluationStatus");
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(status_);
    layout->addStretch(1);
    return panel;
}

QWidget* EvaluateView::makeResults() {
    auto* panel = new QWidget(this);
    auto* layout = new QVBoxLayout(panel);
    plot_ = new QCustomPlot(panel);
    plot_->setObjectName("evaluationPlot");
    plot_->setMinimumHeight(260);
    styleGraph(plot_->addGraph(plot_->xAxis, plot_->yAxis), kFidColor, tr("FID"));
    styleGraph(plot_->addGraph(plot_->xAxis, plot_->yAxis2), kKidColor, tr("KID"));
    kidErrors_ = new QCPErrorBars(plot_->xAxis, plot_->yAxis2);
    kidErrors_->setDataPlottable(plot_->graph(1));
    kidErrors_->setPen(QPen(kKidColor));
    kidErrors_->removeFromLegend();
    plot_->xAxis->setLabel(tr("training step"));
    plot_->yAxis->setLabel(tr("FID"));
    plot_->yAxis->setLabelColor(kFidColor);
    plot_->yAxis2->setLabel(tr("KID"));
    plot_->yAxis2->setLabelColor(kKidColor);
    plot_->yAxis2->setVisible(true);
    plot_->legend->setVisible(true);
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignHCenter);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    layout->addWidget(plot_, 3);

    extractor_ = new QLabel(panel);
    extractor_->setObjectName("extractorLabel");
    extractor_->setWordWrap(true);
    extractor_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(extractor_);

    table_ = new QTableWidget(0, ColumnCount, panel);
    table_->setObjectName("scoresTable");
    table_->setHorizontalHeaderLabels({tr("Step"), tr("FID"), tr("KID ± std"), tr("Confident"), tr("Class match"), tr("Checkpoint")});
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->verticalHeader()->setVisible(false);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    layout->addWidget(table_, 2);

    export_ = makeButton(tr("Export CSV…"), "exportScoresButton", tr("The table as a CSV file"), panel);
    connect(export_, &QPushButton::clicked, this, &EvaluateView::showExportDialog);
    auto* exportRow = new QHBoxLayout;
    exportRow->addStretch(1);
    exportRow->addWidget(export_);
    layout->addLayout(exportRow);
    return panel;
}

void EvaluateView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    // Listed again each time: the run may have written snapshots since.
    if (followsTrainRun_ && !trainView_->runFolder().isEmpty() && !worker_->isBusy())
        setRunFolder(trainView_->runFolder());
}

void EvaluateView::setRunFolder(const QString& folder) {
    if (folder.isEmpty()) {
        showStatus(tr("The Train tab has no run folder yet: start a run or pick a folder."), true);
        return;
    }
    checkpoints_.clear();
    for (const std::string& file : RunFolder(folder.toStdString()).checkpointFiles())
        checkpoints_ << QString::fromStdString(file);
    runFolder_ = folder;
    source_->setToolTip(folder);
    source_->setText(tr("Run folder %1: %n checkpoint(s)", nullptr, int(checkpoints_.size()))
                         .arg(QDir::toNativeSeparators(folder)));
}

void EvaluateView::setCheckpointFiles(const QStringList& files) {
    followsTrainRun_ = false;
    checkpoints_ = files;
    runFolder_.clear();
    source_->setToolTip(files.join('\n'));
    source_->setText(tr("%n checkpoint file(s)", nullptr, int(files.size())));
}

void EvaluateView::chooseRunFolder() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Run Folder"), trainView_->runFolder());
    if (folder.isEmpty()) return;
    followsTrainRun_ = false;
    setRunFolder(folder);
}

void EvaluateView::chooseCheckpointFiles() {
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Checkpoints"), trainView_->runFolder(),
                                                            tr("Checkpoints (*.ckpt);;All files (*)"));
    if (files.isEmpty()) return;
    setCheckpointFiles(files);
}

void EvaluateView::chooseFeatureFile() {
    const QString file = QFileDialog::getOpenFileName(this, tr("Feature File"), QFileInfo(featureFile_->text()).path(),
                                                      tr("Feature networks (*.classifier *.pt);;All files (*)"));
    if (!file.isEmpty()) featureFile_->setText(file);
}

void EvaluateView::evaluate() {
    EvaluationRequest request;
    request.checkpoints = checkpoints_;
    request.oneScorePerStep = !runFolder_.isEmpty();
    request.reference = datasetView_->dataset();
    request.sampleCount = sampleCount_->value();
    request.samplerSteps = samplerSteps_->value();
    request.heldOutCaptions = heldOutCaptions_->isChecked();
    if (features_->currentData() == "file") {
        if (featureFile_->text().trimmed().isEmpty()) {
            showStatus(tr("Choose a feature file (*.classifier or TorchScript *.pt), or the built-in classifier."),
                       true);
            return;
        }
        request.features = featureFile_->text().trimmed();
    }
    clearScores();
    setRunning(true);
    progress_->setRange(0, 0);   // busy until the checkpoints' steps are read
    showStatus(tr("Reading the checkpoints…"));
    worker_->evaluate(request);
}

void EvaluateView::cancel() {
    worker_->cancel();
    showStatus(tr("Cancelling…"));
}

void EvaluateView::addScore(const CheckpointScore& score) {
    scores_.append(score);
    plot_->graph(0)->addData(double(score.step), score.fid);
    plot_->graph(1)->addData(double(score.step), score.kid);
    kidErrors_->addData(score.kidStd);
    plot_->rescaleAxes();
    // Room around the points, so that the first (a single point) and the markers at the edges show.
    for (QCPAxis* axis : {plot_->xAxis, plot_->yAxis, plot_->yAxis2}) {
        const QCPRange r = axis->range();
        const double pad = r.size() > 0 ? 0.1 * r.size() : std::max(1.0, std::abs(r.center()) * 0.1);
        axis->setRange(r.lower - pad, r.upper + pad);
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);

    const int row = table_->rowCount();
    table_->insertRow(row);
    const auto cell = [&](int column, const QString& text) {
        auto* item = new QTableWidgetItem(text);
        if (column != FileColumn) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        table_->setItem(row, column, item);
    };
    cell(StepColumn, QLocale().toString(score.step));
    cell(FidColumn, QString::number(score.fid, 'f', 2));
    cell(KidColumn, QStringLiteral("%1 ± %2").arg(score.kid, 0, 'g', 4).arg(score.kidStd, 0, 'g', 3));
    cell(ConfidentColumn, score.confidentShare < 0 ? tr("—") : QStringLiteral("%1 %").arg(100 * score.confidentShare, 0, 'f', 1));
    const auto percent = [](double share) { return QStringLiteral("%1 %").arg(100 * share, 0, 'f', 1); };
    cell(ClassMatchColumn, score.classMatchShare < 0
                               ? tr("—")
                               : tr("%1 (chance %2)").arg(percent(score.classMatchShare), percent(score.chanceMatchShare)));
    if (score.askedWithSeenWords > 0)
        table_->item(row, ClassMatchColumn)
            ->setToolTip(tr("%1 of the captions use only words seen in training: %2 of those samples matched")
                             .arg(score.askedWithSeenWords)
                             .arg(percent(double(score.seenWordsMatched) / double(score.askedWithSeenWords))));
    cell(FileColumn, QFileInfo(score.path).fileName());
    table_->item(row, FileColumn)->setToolTip(score.path);
    table_->resizeColumnsToContents();

    extractor_->setText(tr("Features: %1 · %2 samples against %3 held-out images. Numbers from different "
                           "extractors or sample counts do not compare.")
                            .arg(score.extractor)
                            .arg(score.count)
                            .arg(score.referenceCount));
    export_->setEnabled(true);
}

void EvaluateView::clearScores() {
    scores_.clear();
    for (int i = 0; i < plot_->graphCount(); ++i) plot_->graph(i)->data()->clear();
    kidErrors_->data()->clear();
    plot_->replot();
    table_->setRowCount(0);
    extractor_->clear();
    export_->setEnabled(false);
}

QString EvaluateView::exportCsv(const QString& path) {
    const QString error = writeScoresCsv(path, scores_);
    if (error.isEmpty()) showStatus(tr("Wrote %1").arg(QDir::toNativeSeparators(path)));
    else showStatus(error, true);
    return error;
}

void EvaluateView::showExportDialog() {
    const QString suggested = QDir(runFolder_).filePath("scores.csv");
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Scores"), suggested, tr("CSV (*.csv)"));
    if (!path.isEmpty()) exportCsv(path);
}

void EvaluateView::setRunning(bool running) {
    evaluate_->setEnabled(!running);
    cancel_->setEnabled(running);
    progress_->setVisible(running);
    if (!running) progress_->setRange(0, 1);
}

void EvaluateView::showStatus(const QString& text, bool error) {
    status_->setStyleSheet(error ? "color: #c0392b;" : QString());
    status_->setText(text);
}

}  // namespace ddpm::ui
