#include "MainWindow.h"

#include <algorithm>
#include <iterator>

#include <QAction>
#include <QCloseEvent>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

#include "RecentDatasets.h"
#include "StudioSettings.h"
#include "core/Version.h"
#include "data/DatasetLoader.h"
#include "dataset/DatasetView.h"
#include "evaluation/EvaluateView.h"
#include "generation/DenoiseView.h"
#include "generation/SamplesView.h"
#include "timeline/TimelineView.h"
#include "util/ResourcePaths.h"
#include "training/TrainView.h"

namespace ddpm::ui {

namespace {

const char kGeometryKey[] = "mainWindow/geometry";
const char kStateKey[] = "mainWindow/state";
const char kDialogFolderKey[] = "mainWindow/openDialogFolder";
const char kCheckpointKey[] = "mainWindow/checkpoint";

// The ready-trained models the app ships, by the built-in dataset they draw; the
// first is what a first launch opens.
struct ShippedModel {
    const char* dataset;
    const char* file;
};
const ShippedModel kShippedModels[] = {
    {"mnist", "models/mnist-tiny.ckpt"},
    {"emoji", "models/emoji-latent.ckpt"},
};

// The shipped model's absolute path, or "" where the installation lacks it.
QString shippedModelPath(const ShippedModel& model) {
    try {
        return QString::fromStdString(ddpm::findResource(model.file).string());
    } catch (const std::exception&) {
        return {};
    }
}

// The first local file or folder among dragged URLs, or "" when there is none.
QString droppedPath(const QMimeData* mime) {
    if (!mime || !mime->hasUrls()) return {};
    for (const QUrl& url : mime->urls())
        if (url.isLocalFile() && !url.toLocalFile().isEmpty()) return url.toLocalFile();
    return {};
}

// The loader reads built-in names before paths ("mnist" is never ./mnist): so do we.
bool isBuiltinName(const QString& pathOrName) {
    if (pathOrName.startsWith("toy:")) return true;
    for (const ddpm::BuiltinDataset& builtin : ddpm::builtinDatasets())
        if (pathOrName == QString::fromStdString(builtin.name)) return true;
    return false;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      tabs_(new QTabWidget(this)),
      datasetView_(new DatasetView(this)),
      trainView_(new TrainView(this)),
      recent_(new RecentDatasets(this)) {
    setWindowTitle(tr("DDPM Studio"));
    setAcceptDrops(true);
    tabs_->setObjectName("mainTabs");
    tabs_->setDocumentMode(true);
    setCentralWidget(tabs_);
    addTab(datasetView_, tr("Dataset"));
    addTab(trainView_, tr("Train"));
    addGenerationTabs();
    createMenus();

    datasetView_->setRecentPaths(recent_->paths());
    connect(recent_, &RecentDatasets::changed, datasetView_, &DatasetView::setRecentPaths);
    connect(recent_, &RecentDatasets::changed, this, &MainWindow::rebuildRecentMenu);
    connect(datasetView_, &DatasetView::datasetChanged, this, [this](const DatasetPtr& dataset) {
        const QString source = datasetView_->datasetSource();
        if (!isBuiltinName(source)) recent_->add(source);   // built-ins have their own list
        showLoadedMessage(dataset);
    });
    connect(datasetView_, &DatasetView::datasetChanged, trainView_, &TrainView::setDataset);
    connect(trainView_, &TrainView::reloadDatasetRequested, this, [this](int resolution) {
        ddpm::LoadOptions options = datasetView_->loadOptions();
        options.resolution = resolution;
        datasetView_->setLoadOptions(options);
        datasetView_->loadDataset(datasetView_->datasetSource());
    });
    connect(datasetView_, &DatasetView::datasetChanged, this, &MainWindow::resumePendingRun);
    connect(datasetView_, &DatasetView::datasetChanged, this, &MainWindow::followShippedModel);
    connect(trainView_->worker(), &TrainingWorker::stateChanged, this, &MainWindow::noteTrainingState);
    // Every checkpoint the Train tab writes or opens becomes the Denoise and Samples tabs' model.
    connect(trainView_, &TrainView::checkpointSaved, this, &MainWindow::openCheckpoint);
    connect(datasetView_, &DatasetView::loadStarted, this,
            [this](const QString& what) { statusBar()->showMessage(tr("Loading %1…").arg(what)); });
    connect(datasetView_, &DatasetView::loadFailed, this,
            [this] { statusBar()->showMessage(tr("Loading failed"), 5000); });
    connect(datasetView_, &DatasetView::loadCancelled, this,
            [this] { statusBar()->showMessage(tr("Loading cancelled"), 5000); });

    QSettings settings(kOrganizationName, kApplicationName);
    if (!restoreGeometry(settings.value(kGeometryKey).toByteArray()))
        resize(QSize(1360, 860).boundedTo(screen()->availableGeometry().size() * 0.95));
    restoreState(settings.value(kStateKey).toByteArray());
}

int MainWindow::addTab(QWidget* page, const QString& title) { return tabs_->addTab(page, title); }

void MainWindow::addGenerationTabs() {
    timelineView_ = new TimelineView(datasetView_, this);
    denoiseView_ = new DenoiseView(this);
    samplesView_ = new SamplesView(this);
    addTab(timelineView_, tr("Timeline"));
    addTab(denoiseView_, tr("Denoise"));
    addTab(samplesView_, tr("Samples"));
    evaluateView_ = new EvaluateView(datasetView_, trainView_, this);
    addTab(evaluateView_, tr("Evaluate"));
}

void MainWindow::createMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));

    QAction* openFolder = file->addAction(tr("&Open Dataset Folder…"), this, &MainWindow::showOpenFolderDialog);
    openFolder->setObjectName("actionOpenDatasetFolder");
    openFolder->setShortcut(QKeySequence::Open);
    openFolder->setStatusTip(tr("Open a folder of images, IDX files or CIFAR batches as a dataset"));

    QAction* openFile = file->addAction(tr("Open Dataset &File…"), this, &MainWindow::showOpenFileDialog);
    openFile->setObjectName("actionOpenDatasetFile");
    openFile->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
    openFile->setStatusTip(tr("Open an IDX (*-idx3-ubyte[.gz]) or CIFAR (*.bin) file as a dataset"));

    recentMenu_ = file->addMenu(tr("Open &Recent"));
    recentMenu_->setObjectName("menuOpenRecent");
    rebuildRecentMenu();

    file->addSeparator();
    QAction* openCheckpoint = file->addAction(tr("Open &Checkpoint…"), this, &MainWindow::showOpenCheckpointDialog);
    openCheckpoint->setObjectName("actionOpenCheckpoint");
    openCheckpoint->setShortcut(QKeySequence(tr("Ctrl+K")));
    openCheckpoint->setStatusTip(tr("Open a model (*.ckpt) for the Denoise and Samples tabs"));

    QAction* watchRun = file->addAction(tr("&Watch Run Folder…"), this, &MainWindow::showWatchRunFolderDialog);
    watchRun->setObjectName("actionWatchRunFolder");
    watchRun->setStatusTip(tr("Follow a run that another process trains (ddpm train, a cluster job): its curves, "
                              "samples and checkpoints"));

    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setObjectName("actionQuit");
    quit->setShortcut(QKeySequence(tr("Ctrl+Q")));   // QKeySequence::Quit is empty on some platforms
    quit->setMenuRole(QAction::QuitRole);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About DDPM Studio"), this, &MainWindow::showAbout);
}

void MainWindow::rebuildRecentMenu() {
    recentMenu_->clear();
    const QStringList paths = recent_->paths();
    for (int i = 0; i < paths.size(); ++i) {
        // "&1 /data/cats": the number is the keyboard accelerator.
        const QString label = QStringLiteral("&%1 %2").arg(i + 1).arg(QDir::toNativeSeparators(paths[i]));
        QAction* action = recentMenu_->addAction(label);
        action->setData(paths[i]);
        connect(action, &QAction::triggered, this, [this, path = paths[i]] { openDataset(path); });
    }
    if (paths.isEmpty()) recentMenu_->addAction(tr("(none)"))->setEnabled(false);
    recentMenu_->addSeparator();
    QAction* clear = recentMenu_->addAction(tr("&Clear List"), recent_, &RecentDatasets::clear);
    clear->setEnabled(!paths.isEmpty());
}

void MainWindow::openDataset(const QString& pathOrName) {
    if (pathOrName.isEmpty()) return;
    tabs_->setCurrentWidget(datasetView_);
    // Paths go to the loader (and the recent list) absolute; built-in names as they are.
    const bool relocatable = !isBuiltinName(pathOrName) && QFileInfo::exists(pathOrName);
    datasetView_->loadDataset(relocatable ? QFileInfo(pathOrName).absoluteFilePath() : pathOrName);
}

void MainWindow::openDefaultDataset() { openDataset(QStringLiteral("mnist")); }

void MainWindow::openCheckpoint(const QString& path) {
    if (path.isEmpty()) return;
    const QString absolute = QFileInfo(path).absoluteFilePath();
    checkpoint_ = absolute;
    denoiseView_->setCheckpoint(absolute);
    samplesView_->setCheckpoint(absolute);
    timelineView_->setModel(absolute);
    QSettings(kOrganizationName, kApplicationName).setValue(kCheckpointKey, absolute);
    statusBar()->showMessage(tr("Loading the model %1…").arg(QDir::toNativeSeparators(absolute)), 5000);
}

void MainWindow::openDefaultCheckpoint() {
    const QString last = QSettings(kOrganizationName, kApplicationName).value(kCheckpointKey).toString();
    if (!last.isEmpty() && QFileInfo::exists(last)) return openCheckpoint(last);
    const QString shipped = shippedModelPath(kShippedModels[0]);
    if (shipped.isEmpty())
        return statusBar()->showMessage(tr("No ready-trained model: %1 is missing from the installation")
                                            .arg(QString::fromUtf8(kShippedModels[0].file)));
    openCheckpoint(shipped);
}

void MainWindow::followShippedModel() {
    // A model of the user's own stays, whatever dataset is loaded.
    const bool ownModel = !checkpoint_.isEmpty() &&
        std::none_of(std::begin(kShippedModels), std::end(kShippedModels),
                     [this](const ShippedModel& model) { return shippedModelPath(model) == checkpoint_; });
    if (ownModel) return;
    for (const ShippedModel& model : kShippedModels) {
        if (datasetView_->datasetSource() != QString::fromUtf8(model.dataset)) continue;
        const QString path = shippedModelPath(model);
        if (!path.isEmpty() && path != checkpoint_) openCheckpoint(path);
        return;
    }
}

void MainWindow::showOpenCheckpointDialog() {
    const QString file = QFileDialog::getOpenFileName(this, tr("Open Checkpoint"), dialogFolder(),
                                                      tr("Checkpoints (*.ckpt);;All files (*)"));
    if (file.isEmpty()) return;
    rememberDialogFolder(QFileInfo(file).absolutePath());
    openCheckpoint(file);
}

void MainWindow::showWatchRunFolderDialog() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Watch Run Folder"), dialogFolder());
    if (folder.isEmpty()) return;
    rememberDialogFolder(folder);
    watchRunFolder(folder);
}

void MainWindow::watchRunFolder(const QString& folder) {
    tabs_->setCurrentWidget(trainView_);
    trainView_->watchRunFolder(folder);
}

void MainWindow::restoreSamplingParameters(const QString& pngPath) {
    tabs_->setCurrentWidget(samplesView_);
    if (samplesView_->restoreFromPng(pngPath))
        statusBar()->showMessage(tr("Sampling settings restored from %1").arg(QFileInfo(pngPath).fileName()), 8000);
}

void MainWindow::showOpenFolderDialog() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open Dataset Folder"), dialogFolder());
    if (folder.isEmpty()) return;
    rememberDialogFolder(folder);
    openDataset(folder);
}

void MainWindow::showOpenFileDialog() {
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Open Dataset File"), dialogFolder(),
        tr("Dataset files (*-ubyte *-ubyte.gz *.bin);;All files (*)"));
    if (file.isEmpty()) return;
    rememberDialogFolder(QFileInfo(file).absolutePath());
    openDataset(file);
}

void MainWindow::rememberDialogFolder(const QString& path) {
    QSettings settings(kOrganizationName, kApplicationName);
    settings.setValue(kDialogFolderKey, path);
}

QString MainWindow::dialogFolder() const {
    QSettings settings(kOrganizationName, kApplicationName);
    return settings.value(kDialogFolderKey, QDir::homePath()).toString();
}

void MainWindow::showLoadedMessage(const DatasetPtr& dataset) {
    const QString what = dataset->isPoints() ? tr("%1 points") : tr("%1 images");
    statusBar()->showMessage(tr("Loaded %1: %2")
                                 .arg(QString::fromStdString(dataset->name),
                                      what.arg(QLocale().toString(qlonglong(dataset->count)))),
                             8000);
}

void MainWindow::showAbout() {
    QMessageBox::about(this, tr("About DDPM Studio"),
                       tr("<h3>DDPM Studio %1</h3><p>Train, explore and sample denoising diffusion models "
                          "on the desktop.</p>")
                           .arg(QString::fromLatin1(ddpm::versionString())));
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    const QString path = droppedPath(event->mimeData());
    if (path.isEmpty()) return event->ignore();
    event->acceptProposedAction();
    statusBar()->showMessage((SamplesView::carriesSamplingParameters(path) ? tr("Drop to restore the sampling settings of %1")
                                                                         : tr("Drop to open %1 as a dataset"))
                                 .arg(QDir::toNativeSeparators(path)));
}

void MainWindow::dragMoveEvent(QDragMoveEvent* event) {
    if (droppedPath(event->mimeData()).isEmpty()) return event->ignore();
    event->acceptProposedAction();
}

void MainWindow::dragLeaveEvent(QDragLeaveEvent* event) {
    statusBar()->clearMessage();
    event->accept();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QString path = droppedPath(event->mimeData());
    if (path.isEmpty()) return event->ignore();
    event->acceptProposedAction();
    // Sample grids we wrote carry their settings: those go to the Samples tab, not the dataset loader.
    if (SamplesView::carriesSamplingParameters(path)) return restoreSamplingParameters(path);
    openDataset(path);
}

void MainWindow::noteTrainingState() {
    if (shuttingDown_) return;
    if (trainView_->worker()->isActive()) noteRunInProgress({trainView_->runFolder(), datasetView_->datasetSource()});
    else clearRunInProgress();
}

void MainWindow::offerToResumeInterruptedRun() {
    const auto run = interruptedRun();
    if (!run) return;
    QMessageBox box(QMessageBox::Question, tr("Resume the interrupted run?"),
                    tr("DDPM Studio ended while a run was training. Resume it from its last autosave?"),
                    QMessageBox::Yes | QMessageBox::No, this);
    box.setObjectName("resumeInterruptedBox");
    box.setInformativeText(tr("%1, saved %2, on %3.")
                               .arg(QDir::toNativeSeparators(run->checkpoint()),
                                    QLocale().toString(QFileInfo(run->checkpoint()).lastModified(), QLocale::ShortFormat),
                                    run->datasetSource));
    box.setDefaultButton(QMessageBox::Yes);
    if (box.exec() != QMessageBox::Yes) {
        if (!shuttingDown_) clearRunInProgress();   // a termination signal closed the box: offer it again next time
        return;
    }
    pendingResume_ = run;
    resumePendingRun();
    if (pendingResume_) openDataset(run->datasetSource);   // resumed once it has loaded
}

void MainWindow::resumePendingRun() {
    if (!pendingResume_ || !trainView_->hasDataset() || datasetView_->datasetSource() != pendingResume_->datasetSource)
        return;
    const QString folder = pendingResume_->runFolder;
    pendingResume_.reset();
    tabs_->setCurrentWidget(trainView_);
    trainView_->resumeRun(folder);
}

QString MainWindow::saveForShutdown() {
    shuttingDown_ = true;   // no window-system calls here: the display may be gone
    return trainView_->saveForShutdown();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!trainView_->confirmClose()) {   // a run in progress: save, discard or stay
        event->ignore();
        return;
    }
    shuttingDown_ = true;   // the run ended as the user chose: nothing to offer next time
    clearRunInProgress();
    QSettings settings(kOrganizationName, kApplicationName);
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    QMainWindow::closeEvent(event);
}

}  // namespace ddpm::ui
