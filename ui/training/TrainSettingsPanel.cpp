#include "training/TrainSettingsPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QDir>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStandardItemModel>

#include "models/ModelConfig.h"
#include "models/Precision.h"
#include "training/RunCadence.h"
#include "training/TrainingWorker.h"

namespace ddpm::ui {

namespace {

const int kResolutions[] = {28, 32, 64};   // what image folders can be loaded at
const char kMlpPreset[] = "mlp";

const QStringList kClipFiles = {"config.json", "model.safetensors", "vocab.json", "merges.txt"};

void selectData(QComboBox* combo, const QVariant& value) {
    const int index = combo->findData(value);
    if (index >= 0) combo->setCurrentIndex(index);
}

QDoubleSpinBox* makeDoubleSpin(double minimum, double maximum, int decimals, double step, QWidget* parent) {
    auto* spin = new QDoubleSpinBox(parent);
    spin->setRange(minimum, maximum);
    spin->setDecimals(decimals);
    spin->setSingleStep(step);
    return spin;
}

}  // namespace

TrainSettingsPanel::TrainSettingsPanel(QWidget* parent)
    : QWidget(parent),
      preset_(new QComboBox(this)),
      space_(new QComboBox(this)),
      autoencoderRow_(new QWidget(this)),
      autoencoderPath_(new QLineEdit(autoencoderRow_)),
      chooseAutoencoder_(new QPushButton(tr("Choose…"), autoencoderRow_)),
      autoencoderMinutes_(makeDoubleSpin(0.1, 10000, 1, 1, this)),
      resolution_(new QComboBox(this)),
      batch_(new QSpinBox(this)),
      learningRate_(makeDoubleSpin(1e-6, 1.0, 6, 1e-4, this)),
      schedule_(new QComboBox(this)),
      objective_(new QComboBox(this)),
      emaDecay_(makeDoubleSpin(0.0, 0.99999, 5, 0.0005, this)),
      precision_(new QComboBox(this)),
      lengthKind_(new QComboBox(this)),
      lengthValue_(new QStackedWidget(this)),
      steps_(new QSpinBox(this)),
      minutes_(makeDoubleSpin(0.1, 100000, 1, 1, this)),
      conditional_(new QCheckBox(tr("class-conditional"), this)),
      textEncoder_(new QComboBox(this)),
      chooseClip_(new QPushButton(tr("CLIP folder…"), this)),
      classDrop_(makeDoubleSpin(0.0, 1.0, 2, 0.05, this)),
      previewEvery_(new QSpinBox(this)),
      autosave_(makeDoubleSpin(0, 1440, 1, 1, this)),
      saveEvery_(new QSpinBox(this)) {
    setObjectName("trainSettings");
    preset_->setObjectName("presetCombo");
    space_->setObjectName("spaceCombo");
    autoencoderPath_->setObjectName("autoencoderPath");
    chooseAutoencoder_->setObjectName("chooseAutoencoderButton");
    autoencoderMinutes_->setObjectName("autoencoderMinutesSpin");
    resolution_->setObjectName("resolutionCombo");
    batch_->setObjectName("batchSpin");
    learningRate_->setObjectName("learningRateSpin");
    schedule_->setObjectName("scheduleCombo");
    objective_->setObjectName("objectiveCombo");
    emaDecay_->setObjectName("emaDecaySpin");
    precision_->setObjectName("precisionCombo");
    lengthKind_->setObjectName("lengthKindCombo");
    steps_->setObjectName("stepsSpin");
    minutes_->setObjectName("minutesSpin");
    conditional_->setObjectName("conditionalCheck");
    textEncoder_->setObjectName("textEncoderCombo");
    textEncoder_->addItem(tr("none"), QString());
    textEncoder_->addItem(tr("built-in text encoder"), QStringLiteral("builtin"));
    chooseClip_->setObjectName("chooseClipButton");
    classDrop_->setObjectName("classDropSpin");
    previewEvery_->setObjectName("previewEverySpin");
    autosave_->setObjectName("autosaveSpin");
    saveEvery_->setObjectName("saveEverySpin");

    for (const std::string& name : ModelConfig::presetNames())
        preset_->addItem(QString::fromStdString(name), QString::fromStdString(name));
    space_->addItem(tr("pixels"), false);
    space_->addItem(tr("latents of an autoencoder"), true);
    autoencoderPath_->setClearButtonEnabled(true);
    autoencoderPath_->setPlaceholderText(tr("none: one is trained first"));
    autoencoderMinutes_->setSuffix(tr(" min"));
    for (int r : kResolutions) resolution_->addItem(QStringLiteral("%1 × %1").arg(r), r);
    batch_->setRange(1, 4096);
    schedule_->addItem(tr("linear"), "linear");
    schedule_->addItem(tr("cosine"), "cosine");
    schedule_->addItem(tr("sigmoid"), "sigmoid");
    objective_->addItem(tr("ε (noise)"), "eps");
    objective_->addItem(tr("x₀ (clean data)"), "x0");
    objective_->addItem(tr("v (velocity)"), "v");
    precision_->addItem(tr("fp32"), "fp32");
    precision_->addItem(cpuBf16IsSlowFallback() ? tr("bf16 (mixed, slow on this CPU)") : tr("bf16 (mixed)"), "bf16");
    lengthKind_->addItem(tr("steps"), false);
    lengthKind_->addItem(tr("minutes"), true);
    steps_->setRange(1, 100000000);
    steps_->setSingleStep(500);
    steps_->setGroupSeparatorShown(true);
    lengthValue_->addWidget(steps_);
    lengthValue_->addWidget(minutes_);
    previewEvery_->setRange(1, 1000000);
    previewEvery_->setSingleStep(50);
    autosave_->setSpecialValueText(tr("off"));
    autosave_->setSuffix(tr(" min"));
    saveEvery_->setRange(0, 1000000);
    saveEvery_->setSingleStep(500);
    saveEvery_->setSpecialValueText(tr("off"));
    saveEvery_->setSuffix(tr(" steps"));
    addRows();

    connect(lengthKind_, &QComboBox::currentIndexChanged, lengthValue_, &QStackedWidget::setCurrentIndex);
    connect(space_, &QComboBox::currentIndexChanged, this, [this] { updateSpaceRows(); });
    connect(autoencoderPath_, &QLineEdit::textChanged, this, [this] { updateSpaceRows(); });
    connect(chooseAutoencoder_, &QPushButton::clicked, this, [this] {
        const QString folder = autoencoderPath_->text().isEmpty() ? QString() : QFileInfo(autoencoderPath_->text()).path();
        const QString path = QFileDialog::getOpenFileName(this, tr("Choose an Autoencoder"), folder,
                                                          tr("Autoencoder checkpoint (*.ckpt)"));
        if (!path.isEmpty()) autoencoderPath_->setText(path);
    });
    connect(conditional_, &QCheckBox::toggled, this, &TrainSettingsPanel::updateConditioningEnabled);
    connect(textEncoder_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            &TrainSettingsPanel::updateConditioningEnabled);
    connect(chooseClip_, &QPushButton::clicked, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("A CLIP model's folder (from Hugging Face)"));
        if (!folder.isEmpty()) chooseClipFolder(folder);
    });
    connect(preset_, &QComboBox::activated, this, [this] {
        if (preset_->currentData().toString() != kMlpPreset) preferredImagePreset_ = preset_->currentData().toString();
    });
    connect(resolution_, &QComboBox::activated, this,
            [this] { emit resolutionChangeRequested(resolution_->currentData().toInt()); });
    auto cadence = [this] { emit cadenceChanged(settings().cadence()); };
    connect(previewEvery_, &QSpinBox::valueChanged, this, cadence);
    connect(autosave_, &QDoubleSpinBox::valueChanged, this, cadence);
    connect(saveEvery_, &QSpinBox::valueChanged, this, cadence);

    setSettings(TrainSettings::defaults());
    setDataset(nullptr);
}

void TrainSettingsPanel::addRows() {
    preset_->setToolTip(tr("<p>The denoising network. <b>tiny</b>: a small U-Net (about 0.65 M parameters) "
                           "that draws digits within minutes on a CPU. <b>small</b> and <b>ddpm-cifar</b> "
                           "(Ho et al. 2020, 35.7 M) are larger and slower. <b>peer</b>: the benchmark's "
                           "620 k U-Net. <b>mlp</b>: a residual MLP for 2-D toy point clouds, which "
                           "trains in seconds.</p>"));
    space_->setToolTip(tr("<p>What the model denoises. <b>pixels</b>: the images themselves. <b>latents</b>: "
                          "the images encoded by an autoencoder (<tt>ddpm train-vae</tt>), 16×16×4 for "
                          "64×64×3 at factor 4: several times faster per step on a CPU; the samples are "
                          "decoded back to pictures. The checkpoint carries the autoencoder.</p>"));
    autoencoderPath_->setToolTip(tr("<p>The autoencoder whose latents the model is trained on: an autoencoder's "
                                    "checkpoint, or a latent model's, whose autoencoder is taken. It must have "
                                    "been trained at the dataset's size and channels. Its encoding of the "
                                    "training set is cached. With none chosen, Start trains one first, with "
                                    "its own loss curve and a preview of held-out images above their "
                                    "reconstructions, then the diffusion model on its latents.</p>"));
    autoencoderMinutes_->setToolTip(tr("<p>How long to train the autoencoder when none is chosen (training "
                                       "time; its run folder is the run's <i>autoencoder/</i>).</p>"));
    chooseAutoencoder_->setToolTip(autoencoderPath_->toolTip());
    resolution_->setToolTip(tr("<p>Image size the model works at: the dataset's own. Image folders can be "
                               "loaded again at 28, 32 or 64 pixels; other formats have a fixed size.</p>"));
    batch_->setToolTip(tr("<p>Examples per optimizer step. Small batches give more steps per CPU minute "
                          "(and digits sooner); large ones give smoother gradients.</p>"));
    learningRate_->setToolTip(tr("<p>Peak AdamW learning rate, reached after a short linear warm-up and "
                                 "then decayed along a cosine. Too high and the loss jumps or turns NaN.</p>"));
    schedule_->setToolTip(tr("<p>How the noise level β<sub>t</sub> grows over the T = 1000 diffusion steps. "
                             "<b>linear</b> (Ho et al.) destroys the image early; <b>cosine</b> (Nichol &amp; "
                             "Dhariwal) spends more steps on little noise, which helps small images; "
                             "<b>sigmoid</b> lies in between.</p>"));
    objective_->setToolTip(tr("<p>What the network predicts from the noisy x<sub>t</sub>. <b>ε</b>: the noise "
                              "that was added (Ho et al.; the loss is the MSE between predicted and true "
                              "noise). <b>x₀</b>: the clean data directly. <b>v</b>: a mix of both "
                              "(√ᾱ·ε − √(1−ᾱ)·x₀) that stays well scaled at every noise level. All three "
                              "convert into each other exactly for sampling.</p>"));
    emaDecay_->setToolTip(tr("<p>Samples come from an exponential moving average (EMA) of the weights: "
                             "after each step ema ← d·ema + (1−d)·weights. It averages out the noise of "
                             "single steps and gives cleaner samples than the raw weights. 0.999 averages "
                             "over roughly the last 1,000 steps; a warm-up keeps early EMA weights close "
                             "to the fast-moving model.</p>"));
    precision_->setToolTip(tr("<p><b>fp32</b>: full precision. <b>bf16</b>: the forward and backward "
                              "passes in bfloat16 with fp32 master weights and norms; about 1.5× faster "
                              "on a CPU that multiplies bf16 natively, with a slightly noisier loss. "
                              "Without AVX-512, LibTorch's bf16 is a fallback many times slower than fp32.</p>"));
    lengthKind_->setToolTip(tr("<p>How long the run is: a number of optimizer steps, or minutes of "
                               "training time (pauses do not count). The learning-rate decay spans this "
                               "length.</p>"));
    steps_->setToolTip(lengthKind_->toolTip());
    minutes_->setToolTip(lengthKind_->toolTip());
    conditional_->setToolTip(tr("<p>Give the model the class label (digit, category) so that samples can "
                                "be asked for a class, with classifier-free guidance. Needs a labelled "
                                "dataset.</p>"));
    classDrop_->setToolTip(tr("<p>Share of training labels (or captions) replaced by a \"no class\" token "
                              "(the empty prompt), so the same model also learns to denoise without one: "
                              "classifier-free guidance needs both.</p>"));
    chooseClip_->setToolTip(tr("<p>Pick the folder of a CLIP model from Hugging Face (such as "
                               "openai/clip-vit-base-patch32): its frozen text encoder then reads the captions.</p>"));
    textEncoder_->setToolTip(tr("<p>Train on the dataset's captions, so that samples can be asked for with a "
                                "prompt. The <b>built-in text encoder</b> is a small transformer over the words of "
                                "the captions, trained with the U-Net, which attends to the prompt's words. "
                                "Captions come from <i>metadata.jsonl</i>, <i>metadata.csv</i> or <i>NAME.txt</i> "
                                "files in an image folder; the built-in digits and clothes have generated ones. "
                                "A <b>CLIP text encoder</b> is read, frozen, from a Hugging Face folder you have "
                                "(config.json, model.safetensors, vocab.json, merges.txt); each caption is encoded "
                                "once. Prompts take the place of classes.</p>"));
    previewEvery_->setToolTip(tr("<p>Every this many steps the preview shows fresh samples from the EMA "
                                 "weights (DDIM, %1 steps, the same seed each time). Sampling pauses "
                                 "training briefly.</p>")
                                  .arg(ddpm::kPreviewSamplerSteps));
    autosave_->setToolTip(tr("<p>Write the checkpoint to the run folder this often, with a numbered snapshot in <i>checkpoints/</i> and a sample grid (atomically: a crash "
                             "never leaves a half-written file). The run's end always saves.</p>"));
    saveEvery_->setToolTip(tr("<p>Also save every this many steps (as <tt>ddpm train --save-every</tt> does), so "
                              "that the Evaluate tab can score the run at even intervals.</p>"));

    auto* length = new QWidget(this);
    auto* lengthLayout = new QHBoxLayout(length);
    lengthLayout->setContentsMargins(0, 0, 0, 0);
    lengthLayout->addWidget(lengthValue_, 1);
    lengthLayout->addWidget(lengthKind_);
    auto* conditioning = new QWidget(this);
    auto* conditioningLayout = new QHBoxLayout(conditioning);
    conditioningLayout->setContentsMargins(0, 0, 0, 0);
    conditioningLayout->addWidget(conditional_);
    conditioningLayout->addWidget(classDrop_, 1);
    classDrop_->setPrefix(tr("drop "));

    auto* form = form_ = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto* autoencoderLayout = new QHBoxLayout(autoencoderRow_);
    autoencoderLayout->setContentsMargins(0, 0, 0, 0);
    autoencoderLayout->addWidget(autoencoderPath_, 1);
    autoencoderLayout->addWidget(chooseAutoencoder_);

    form->addRow(tr("Model"), preset_);
    form->addRow(tr("Space"), space_);
    form->addRow(tr("Autoencoder"), autoencoderRow_);
    form->addRow(tr("Train it first for"), autoencoderMinutes_);
    form->addRow(tr("Resolution"), resolution_);
    form->addRow(tr("Batch"), batch_);
    form->addRow(tr("Learning rate"), learningRate_);
    form->addRow(tr("Schedule"), schedule_);
    form->addRow(tr("Objective"), objective_);
    form->addRow(tr("EMA decay"), emaDecay_);
    form->addRow(tr("Precision"), precision_);
    form->addRow(tr("Length"), length);
    form->addRow(tr("Classes"), conditioning);
    auto* prompts = new QWidget(this);
    auto* promptsLayout = new QHBoxLayout(prompts);
    promptsLayout->setContentsMargins(0, 0, 0, 0);
    promptsLayout->addWidget(textEncoder_, 1);
    promptsLayout->addWidget(chooseClip_);
    form->addRow(tr("Prompts"), prompts);
    form->addRow(tr("Preview every"), previewEvery_);
    form->addRow(tr("Autosave every"), autosave_);
    form->addRow(tr("Also save every"), saveEvery_);
    previewEvery_->setSuffix(tr(" steps"));
}

TrainSettings TrainSettingsPanel::settings() const {
    TrainSettings s;
    s.preset = preset_->currentData().toString();
    s.batchSize = batch_->value();
    s.learningRate = learningRate_->value();
    s.schedule = schedule_->currentData().toString();
    s.objective = objective_->currentData().toString();
    s.emaDecay = emaDecay_->value();
    s.precision = precision_->currentData().toString();
    s.useTimeBudget = lengthKind_->currentData().toBool();
    s.steps = steps_->value();
    s.minutes = minutes_->value();
    s.classConditional = conditional_->isChecked();   // the choice; it applies where the data has labels
    s.classDropProb = classDrop_->value();
    s.textEncoder = textEncoder_->currentData().toString();
    s.previewEvery = previewEvery_->value();
    s.autosaveMinutes = autosave_->value();
    s.saveEverySteps = saveEvery_->value();
    s.latent = space_->currentData().toBool();
    s.autoencoder = autoencoderPath_->text();
    s.autoencoderMinutes = autoencoderMinutes_->value();
    return s;
}

void TrainSettingsPanel::setSettings(const TrainSettings& s) {
    if (s.preset != kMlpPreset) preferredImagePreset_ = s.preset;
    updatePresetChoices(pointsData_);   // the preset that fits the data: the MLP for points, else the preferred U-Net
    batch_->setValue(s.batchSize);
    learningRate_->setValue(s.learningRate);
    selectData(schedule_, s.schedule);
    selectData(objective_, s.objective);
    emaDecay_->setValue(s.emaDecay);
    selectData(precision_, s.precision);
    selectData(lengthKind_, s.useTimeBudget);
    steps_->setValue(int(std::min<qint64>(s.steps, steps_->maximum())));
    minutes_->setValue(s.minutes);
    conditional_->setChecked(s.classConditional);
    classDrop_->setValue(s.classDropProb);
    selectTextEncoder(s.textEncoder);
    previewEvery_->setValue(s.previewEvery);
    autosave_->setValue(s.autosaveMinutes);
    saveEvery_->setValue(int(s.saveEverySteps));
    selectData(space_, s.latent);
    autoencoderPath_->setText(s.autoencoder);
    autoencoderMinutes_->setValue(s.autoencoderMinutes);
    updateSpaceRows();
}

void TrainSettingsPanel::updateSpaceRows() {
    form_->setRowVisible(space_, !pointsData_);
    const bool latent = !pointsData_ && space_->currentData().toBool();
    form_->setRowVisible(autoencoderRow_, latent);
    form_->setRowVisible(autoencoderMinutes_, latent && autoencoderPath_->text().isEmpty());
}

void TrainSettingsPanel::updatePresetChoices(bool points) {
    // Only the fitting presets can be picked; the others stay listed, greyed out.
    auto* model = qobject_cast<QStandardItemModel*>(preset_->model());
    for (int i = 0; i < preset_->count(); ++i) {
        const bool mlp = preset_->itemData(i).toString() == kMlpPreset;
        if (model) model->item(i)->setEnabled(mlp == points);
    }
    selectData(preset_, points ? QString(kMlpPreset)
                               : (preferredImagePreset_.isEmpty() ? TrainSettings::defaults().preset
                                                                  : preferredImagePreset_));
}

void TrainSettingsPanel::setDataset(const DatasetPtr& dataset) {
    const bool points = pointsData_ = dataset && dataset->isPoints();
    updatePresetChoices(points);
    hasLabels_ = dataset && dataset->hasLabels();
    hasCaptions_ = dataset && !dataset->captions.empty();
    // A folder that comes with captions trains on them by default; the built-in sets keep their classes.
    // Prompts follow the dataset: a folder's own captions train a text model, the built-in sets'
    // generated ones leave their classes (as ddpm train does); the combo changes it.
    // A CLIP folder the user picked stays chosen for any captioned data.
    ddpm::TextConfig current;
    current.encoder = textEncoder_->currentData().toString().toStdString();
    if (dataset && !(current.usesClip() && hasCaptions_))
        selectTextEncoder(dataset->format == "image-folder" && hasCaptions_ ? QStringLiteral("builtin") : QString());
    updateConditioningEnabled();
    const bool images = dataset && !points;
    if (images) {
        if (resolution_->findData(dataset->width) < 0)   // a size no image folder loads at: show it as is
            resolution_->addItem(QStringLiteral("%1 × %2").arg(dataset->width).arg(dataset->height), dataset->width);
        selectData(resolution_, dataset->width);
    }
    resolutionChoosable_ = images && dataset->format == "image-folder";
    resolution_->setEnabled(resolutionChoosable_ && modelEditable_);
    form_->setRowVisible(resolution_, !points);
    updateSpaceRows();
}

bool TrainSettingsPanel::chooseClipFolder(const QString& folder) {
    QStringList missing;
    for (const QString& file : kClipFiles)
        if (!QFileInfo(QDir(folder).filePath(file)).isFile()) missing << file;
    if (!missing.isEmpty()) {
        QMessageBox::warning(this, tr("Not a CLIP folder"),
                             tr("%1 has no %2. Pick the folder of a CLIP model from Hugging Face (such as "
                                "openai/clip-vit-base-patch32), which holds %3.")
                                 .arg(QDir::toNativeSeparators(folder), missing.join(tr(", ")), kClipFiles.join(tr(", "))));
        return false;
    }
    selectTextEncoder("clip:" + QDir(folder).absolutePath());
    return true;
}

void TrainSettingsPanel::selectTextEncoder(const QString& encoder) {
    const auto named = [](const QVariant& encoder) {
        ddpm::TextConfig text;
        text.encoder = encoder.toString().toStdString();
        return text;
    };
    if (named(encoder).usesClip() && textEncoder_->findData(encoder) < 0) {
        // One CLIP folder at a time: the newest replaces the one before, after "built-in".
        const int last = textEncoder_->count() - 1;
        if (named(textEncoder_->itemData(last)).usesClip()) textEncoder_->removeItem(last);
        const QString folder = QString::fromStdString(named(encoder).clipFolder());
        textEncoder_->addItem(tr("CLIP: %1").arg(QFileInfo(folder).fileName()), encoder);
        textEncoder_->setItemData(textEncoder_->count() - 1, QDir::toNativeSeparators(folder), Qt::ToolTipRole);
    }
    selectData(textEncoder_, encoder);
}

void TrainSettingsPanel::updateConditioningEnabled() {
    const bool text = hasCaptions_ && !textEncoder_->currentData().toString().isEmpty();
    conditional_->setEnabled(modelEditable_ && hasLabels_ && !text);
    textEncoder_->setEnabled(modelEditable_ && hasCaptions_);
    chooseClip_->setEnabled(modelEditable_ && hasCaptions_);
    classDrop_->setEnabled(modelEditable_ && (text || (hasLabels_ && conditional_->isChecked())));
}

void TrainSettingsPanel::setModelEditable(bool editable) {
    modelEditable_ = editable;
    for (QWidget* w : std::initializer_list<QWidget*>{preset_, space_, autoencoderPath_, chooseAutoencoder_,
                                                      autoencoderMinutes_, batch_, learningRate_,
                                                      schedule_, objective_, emaDecay_, precision_, lengthKind_, steps_,
                                                      minutes_})
        w->setEnabled(editable);
    updateConditioningEnabled();
    resolution_->setEnabled(editable && resolutionChoosable_);
}

}  // namespace ddpm::ui
