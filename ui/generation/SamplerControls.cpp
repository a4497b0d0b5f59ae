#include "generation/SamplerControls.h"

#include <QAbstractItemView>
#include <QComboBox>
#include <QCompleter>
#include <QFileInfo>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>
#include <QStringListModel>

#include "StudioSettings.h"
#include "conditioning/WordTokenizer.h"
#include "data/CaptionWords.h"

namespace ddpm::ui {

namespace {

// The prompt as UTF-8, cut at a character so that it fits SamplingLimits (the field counts
// characters, the limit bytes).
std::string promptBytes(QString text) {
    while (size_t(text.toUtf8().size()) > ddpm::SamplingLimits::kMaxPromptBytes) text.chop(1);
    return text.toStdString();
}

}  // namespace

SamplerControls::SamplerControls(const QString& settingsPrefix, int defaultCount, int maxCount, QWidget* parent)
    : QGroupBox(tr("Sampling"), parent),
      prefix_(settingsPrefix),
      sampler_(new QComboBox(this)),
      steps_(new QSpinBox(this)),
      eta_(new QDoubleSpinBox(this)),
      seed_(new QSpinBox(this)),
      count_(new QSpinBox(this)),
      classLabel_(new QComboBox(this)),
      prompt_(new QLineEdit(this)),
      negativePrompt_(new QLineEdit(this)),
      promptNote_(new QLabel(this)),
      completions_(new QStringListModel(this)),
      completer_(new QCompleter(completions_, this)),
      guidance_(new QDoubleSpinBox(this)) {
    sampler_->setObjectName("sampler");
    sampler_->addItem(tr("DDIM (N steps)"), "ddim");
    sampler_->addItem(tr("DDPM (all T steps)"), "ddpm");
    sampler_->setToolTip(tr("<b>DDPM</b>: the original ancestral sampler; walks all T steps back, adding fresh "
                            "noise at each.<br><b>DDIM</b>: jumps over the steps (N of them, evenly spaced) along "
                            "the same learned ε; with η = 0 the same seed always gives the same images."));
    steps_->setObjectName("samplerSteps");
    steps_->setRange(1, 1000);
    steps_->setToolTip(tr("DDIM: how many denoising steps. 20–50 is plenty for most models."));
    eta_->setObjectName("samplerEta");
    eta_->setRange(0, 1);
    eta_->setSingleStep(0.1);
    eta_->setDecimals(2);
    eta_->setToolTip(tr("DDIM's η: fresh noise per step. 0 = deterministic, 1 = as much as DDPM adds."));
    seed_->setObjectName("samplerSeed");
    seed_->setRange(0, std::numeric_limits<int>::max());
    seed_->setToolTip(tr("Seed of the starting noise x_T (and of the noise added on the way)"));
    count_->setObjectName("samplerCount");
    count_->setRange(1, maxCount);
    count_->setToolTip(tr("How many samples to draw at once"));
    classLabel_->setObjectName("samplerClass");
    classLabel_->setToolTip(tr("Class-conditional models: the class to draw (or all classes in turn)"));
    prompt_->setObjectName("samplerPrompt");
    prompt_->setToolTip(tr("Text models: what to draw, in the words of their captions (they are offered as you "
                           "type). Empty: unconditional samples."));
    prompt_->setMaxLength(int(ddpm::SamplingLimits::kMaxPromptBytes));
    negativePrompt_->setObjectName("samplerNegativePrompt");
    negativePrompt_->setPlaceholderText(tr("what to steer away from"));
    negativePrompt_->setToolTip(tr("Text models, with guidance above 1: guidance pushes away from this prompt "
                                   "instead of from the empty one."));
    negativePrompt_->setMaxLength(int(ddpm::SamplingLimits::kMaxPromptBytes));
    promptNote_->setObjectName("samplerPromptNote");
    promptNote_->setWordWrap(true);
    promptNote_->setStyleSheet("color: #b35c00");
    completer_->setWidget(prompt_);
    completer_->setCaseSensitivity(Qt::CaseInsensitive);
    completer_->setCompletionMode(QCompleter::PopupCompletion);
    guidance_->setObjectName("samplerGuidance");
    guidance_->setRange(0, 20);
    guidance_->setSingleStep(0.5);
    guidance_->setDecimals(1);
    guidance_->setToolTip(tr("Classifier-free guidance w: ε = ε_uncond + w·(ε_class − ε_uncond). 1 = plain "
                             "conditional, above 1 = more typical of the class, less varied; 0 = ignore the class."));

    auto* form = form_ = new QFormLayout(this);
    form->addRow(tr("Sampler"), sampler_);
    form->addRow(tr("Steps"), steps_);
    form->addRow(tr("η"), eta_);
    form->addRow(tr("Seed"), seed_);
    form->addRow(tr("Batch"), count_);
    form->addRow(tr("Class"), classLabel_);
    form->addRow(tr("Prompt"), prompt_);
    form->addRow(tr("Negative"), negativePrompt_);
    form->addRow(promptNote_);
    form->addRow(tr("Guidance"), guidance_);

    QSettings settings(kOrganizationName, kApplicationName);
    ddpm::SamplingParameters saved;
    try {
        saved.sampler = ddpm::samplerKindFromString(
            settings.value(prefix_ + "/sampler", QString::fromStdString(toString(saved.sampler))).toString().toStdString());
    } catch (const std::invalid_argument&) {
        // A settings file from elsewhere: keep the default sampler.
    }
    saved.steps = settings.value(prefix_ + "/steps", saved.steps).toInt();
    saved.eta = settings.value(prefix_ + "/eta", saved.eta).toDouble();
    saved.seed = settings.value(prefix_ + "/seed", 0).toULongLong();
    saved.count = settings.value(prefix_ + "/count", defaultCount).toInt();
    saved.guidance = settings.value(prefix_ + "/guidance", saved.guidance).toDouble();
    saved.prompt = settings.value(prefix_ + "/prompt").toString().toStdString();
    saved.negativePrompt = settings.value(prefix_ + "/negativePrompt").toString().toStdString();
    setModel({});
    setParameters(saved);

    connect(sampler_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        updateEnabled();
        emit changed();
    });
    for (QSpinBox* box : {steps_, seed_, count_}) connect(box, &QSpinBox::valueChanged, this, &SamplerControls::changed);
    for (QDoubleSpinBox* box : {eta_, guidance_})
        connect(box, &QDoubleSpinBox::valueChanged, this, &SamplerControls::changed);
    connect(guidance_, &QDoubleSpinBox::valueChanged, this, &SamplerControls::updatePromptNote);
    connect(classLabel_, qOverload<int>(&QComboBox::currentIndexChanged), this, &SamplerControls::changed);
    for (QLineEdit* line : {prompt_, negativePrompt_})
        connect(line, &QLineEdit::textChanged, this, [this] {
            updatePromptNote();
            emit changed();
        });
    // Completions for the word being typed, not for the whole prompt.
    connect(prompt_, &QLineEdit::textEdited, this, [this](const QString& text) {
        const QString typing = text.left(prompt_->cursorPosition()).section(' ', -1);
        if (typing.isEmpty() || !tokenizer_) {
            completer_->popup()->hide();
            return;
        }
        completer_->setCompletionPrefix(typing);
        if (completer_->completionCount() > 0) completer_->complete();
        else completer_->popup()->hide();
    });
    connect(completer_, qOverload<const QString&>(&QCompleter::activated), this, &SamplerControls::completeWord);
}

void SamplerControls::completeWord(const QString& word) {
    const QString text = prompt_->text();
    const int cursor = prompt_->cursorPosition();
    const int start = text.left(cursor).lastIndexOf(' ') + 1;
    prompt_->setText(text.left(start) + word + text.mid(cursor));
    prompt_->setCursorPosition(start + int(word.size()));
}

QStringList SamplerControls::promptTokens() const {
    QStringList tokens;
    if (clipTokenizer_) {
        try {
            for (const std::string& text : clipTokenizer_->tokenTexts(prompt_->text().toStdString(), size_t(promptContext_)))
                tokens << QString::fromStdString(text);
        } catch (const std::invalid_argument&) {
            // Not UTF-8 (the note under the field says so): no tokens to pick.
        }
        return tokens;
    }
    if (!tokenizer_) return tokens;
    for (const std::string& word : ddpm::captionWords(prompt_->text().toStdString()))
        if (tokens.size() < promptContext_ - 2) tokens << QString::fromStdString(word);
    return tokens;
}

void SamplerControls::updatePromptNote() {
    QStringList notes;
    if (takesPrompts()) {
        try {
            for (QLineEdit* line : {prompt_, negativePrompt_}) {
                const std::string text = line->text().toStdString();
                const ddpm::TokenizedPrompt t = clipTokenizer_ ? clipTokenizer_->encode(text, size_t(promptContext_))
                                                               : tokenizer_->encode(text, size_t(promptContext_));
                for (const std::string& word : t.unknown)
                    notes << tr("The model never saw “%1”.").arg(QString::fromStdString(word));
                if (t.truncated())
                    notes << (clipTokenizer_ ? tr("Only the first %1 tokens are read.") : tr("Only the first %1 words are read."))
                                 .arg(promptContext_ - 2);
            }
            if (!negativePrompt_->text().isEmpty() && guidance_->value() == 1.0)
                notes << tr("A negative prompt acts through guidance: set it above 1.");
        } catch (const std::invalid_argument& e) {
            notes << QString::fromStdString(e.what());
        }
    }
    promptNote_->setText(notes.join(' '));
    form_->setRowVisible(promptNote_, !notes.isEmpty());
}

SamplerControls::~SamplerControls() { saveSettings(); }

ddpm::SamplingParameters SamplerControls::parameters() const {
    ddpm::SamplingParameters r;
    r.sampler = ddpm::samplerKindFromString(sampler_->currentData().toString().toStdString());
    r.steps = steps_->value();
    r.eta = eta_->value();
    r.seed = quint64(seed_->value());
    r.count = count_->value();
    r.classLabel = classLabel_->currentData().toInt();
    r.guidance = guidance_->value();
    if (takesPrompts()) {
        r.prompt = promptBytes(prompt_->text());
        r.negativePrompt = promptBytes(negativePrompt_->text());
    }
    r.checkpoint = checkpointName_;
    return r;
}

void SamplerControls::setParameters(const ddpm::SamplingParameters& r) {
    sampler_->setCurrentIndex(std::max(0, sampler_->findData(QString::fromStdString(toString(r.sampler)))));
    if (r.sampler == ddpm::SamplerKind::Ddim) steps_->setValue(r.steps);   // DDPM's "steps" is T, not a setting
    eta_->setValue(r.eta);
    seed_->setValue(int(std::min<quint64>(r.seed, quint64(seed_->maximum()))));
    count_->setValue(int(std::min<int64_t>(r.count, count_->maximum())));
    const int cls = classLabel_->findData(r.classLabel);
    if (cls >= 0) classLabel_->setCurrentIndex(cls);
    guidance_->setValue(r.guidance);
    prompt_->setText(QString::fromStdString(r.prompt));
    negativePrompt_->setText(QString::fromStdString(r.negativePrompt));
    updateEnabled();
}

void SamplerControls::setModel(const ModelSummary& model) {
    numClasses_ = model.numClasses;
    checkpointName_ = QFileInfo(model.path).fileName().toStdString();
    const int previous = classLabel_->currentData().isValid() ? classLabel_->currentData().toInt() : -1;
    {
        const QSignalBlocker block(classLabel_);
        classLabel_->clear();
        classLabel_->addItem(numClasses_ > 0 ? tr("all, in turn") : tr("(model has no classes)"), -1);
        for (int c = 0; c < numClasses_; ++c)
            classLabel_->addItem(model.classNames.value(c, QString::number(c)), c);
        classLabel_->setCurrentIndex(std::max(0, classLabel_->findData(previous)));
    }
    steps_->setMaximum(std::max(1, model.timesteps));
    tokenizer_.reset();
    clipTokenizer_ = model.clipTokenizer;
    if (!model.promptWords.isEmpty()) {
        std::vector<std::string> words;
        for (const QString& w : model.promptWords) words.push_back(w.toStdString());
        try {
            tokenizer_ = ddpm::WordTokenizer::fromWords(words);
        } catch (const std::invalid_argument&) {
            // A vocabulary the tokenizer refuses (checkpoints are checked when they load) leaves prompts off.
        }
    }
    promptContext_ = model.promptContext;
    prompt_->setPlaceholderText(model.examplePrompts.isEmpty() ? tr("what to draw, in the words of the model's captions")
                                                               : tr("what to draw, e.g. %1").arg(model.examplePrompts.first()));
    completions_->setStringList(model.promptWords);
    updatePromptNote();
    updateEnabled();
}

void SamplerControls::updateEnabled() {
    const bool ddim = sampler_->currentData().toString() == "ddim";
    steps_->setEnabled(ddim);
    eta_->setEnabled(ddim);
    const bool text = takesPrompts();
    classLabel_->setEnabled(numClasses_ > 0);
    // Each model shows what it takes: classes, or prompts.
    form_->setRowVisible(classLabel_, !text);
    form_->setRowVisible(prompt_, text);
    form_->setRowVisible(negativePrompt_, text);
    if (!text) form_->setRowVisible(promptNote_, false);
    guidance_->setEnabled(numClasses_ > 0 || text);
}

void SamplerControls::saveSettings() const {
    QSettings settings(kOrganizationName, kApplicationName);
    const ddpm::SamplingParameters r = parameters();
    settings.setValue(prefix_ + "/sampler", QString::fromStdString(toString(r.sampler)));
    settings.setValue(prefix_ + "/steps", r.steps);
    settings.setValue(prefix_ + "/eta", r.eta);
    settings.setValue(prefix_ + "/seed", qulonglong(r.seed));
    settings.setValue(prefix_ + "/count", qlonglong(r.count));
    settings.setValue(prefix_ + "/guidance", r.guidance);
    settings.setValue(prefix_ + "/prompt", prompt_->text());
    settings.setValue(prefix_ + "/negativePrompt", negativePrompt_->text());
}

}  // namespace ddpm::ui
