#include "generation/SamplerControls.h"

#include <QComboBox>
#include <QFileInfo>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QSettings>
#include <QSpinBox>

#include "StudioSettings.h"

namespace ddpm::ui {

SamplerControls::SamplerControls(const QString& settingsPrefix, int defaultCount, int maxCount, QWidget* parent)
    : QGroupBox(tr("Sampling"), parent),
      prefix_(settingsPrefix),
      sampler_(new QComboBox(this)),
      steps_(new QSpinBox(this)),
      eta_(new QDoubleSpinBox(this)),
      seed_(new QSpinBox(this)),
      count_(new QSpinBox(this)),
      classLabel_(new QComboBox(this)),
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
    guidance_->setObjectName("samplerGuidance");
    guidance_->setRange(0, 20);
    guidance_->setSingleStep(0.5);
    guidance_->setDecimals(1);
    guidance_->setToolTip(tr("Classifier-free guidance w: ε = ε_uncond + w·(ε_class − ε_uncond). 1 = plain "
                             "conditional, above 1 = more typical of the class, less varied; 0 = ignore the class."));

    auto* form = new QFormLayout(this);
    form->addRow(tr("Sampler"), sampler_);
    form->addRow(tr("Steps"), steps_);
    form->addRow(tr("η"), eta_);
    form->addRow(tr("Seed"), seed_);
    form->addRow(tr("Batch"), count_);
    form->addRow(tr("Class"), classLabel_);
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
    setModel({});
    setParameters(saved);

    connect(sampler_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        updateEnabled();
        emit changed();
    });
    for (QSpinBox* box : {steps_, seed_, count_}) connect(box, &QSpinBox::valueChanged, this, &SamplerControls::changed);
    for (QDoubleSpinBox* box : {eta_, guidance_})
        connect(box, &QDoubleSpinBox::valueChanged, this, &SamplerControls::changed);
    connect(classLabel_, qOverload<int>(&QComboBox::currentIndexChanged), this, &SamplerControls::changed);
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
    updateEnabled();
}

void SamplerControls::updateEnabled() {
    const bool ddim = sampler_->currentData().toString() == "ddim";
    steps_->setEnabled(ddim);
    eta_->setEnabled(ddim);
    classLabel_->setEnabled(numClasses_ > 0);
    guidance_->setEnabled(numClasses_ > 0);
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
}

}  // namespace ddpm::ui
