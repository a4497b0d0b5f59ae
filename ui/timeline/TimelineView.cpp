#include "timeline/TimelineView.h"

#include <QComboBox>
#include <QFormLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>

#include "StudioSettings.h"
#include "common/HelpLabel.h"
#include "common/PixelImageLabel.h"
#include "common/PointsPlot.h"
#include "dataset/DatasetView.h"
#include "timeline/ForwardNoisingWorker.h"
#include "timeline/ScheduleCurvesPlot.h"
#include "util/KeyValueText.h"

namespace ddpm::ui {

namespace {

const char kScheduleKey[] = "timeline/schedule";
const char kTimestepsKey[] = "timeline/timesteps";
const char kStripKey[] = "timeline/stripSteps";
const char kTKey[] = "timeline/t";
const char kDefaultStrip[] = "0, 100, 500, 999";
constexpr int kPlayIntervalMs = 40;
constexpr int kPlayTicks = 250;   // one play-through of all T steps takes about 10 s
constexpr int kStripSide = 96;

QString stripText(const QVector<int>& steps) {
    QStringList parts;
    for (int s : steps) parts << QString::number(s);
    return parts.join(", ");
}

QVector<QPointF> datasetPoints(const ddpm::Dataset& d) {
    QVector<QPointF> points(int(d.count));
    for (int i = 0; i < points.size(); ++i) points[i] = QPointF(d.points[size_t(2 * i)], d.points[size_t(2 * i + 1)]);
    return points;
}

}  // namespace

TimelineView::TimelineView(DatasetView* datasetView, QWidget* parent)
    : QWidget(parent),
      datasetView_(datasetView),
      worker_(new ForwardNoisingWorker(this)),
      scheduleKind_(new QComboBox(this)),
      timesteps_(new QSpinBox(this)),
      slider_(new QSlider(Qt::Horizontal, this)),
      tBox_(new QSpinBox(this)),
      play_(new QToolButton(this)),
      playTimer_(new QTimer(this)),
      stripEdit_(new QLineEdit(this)),
      stripMessage_(new QLabel(this)),
      picture_(new QStackedWidget(this)),
      image_(new PixelImageLabel(this)),
      latentChannels_(new PixelImageLabel(this)),
      imageCaption_(new QLabel(this)),
      points_(new PointsPlot(this)),
      curves_(new ScheduleCurvesPlot(this)) {
    setObjectName("timelineView");
    auto* imagePage = new QWidget(this);
    auto* imageLayout = new QVBoxLayout(imagePage);
    imageLayout->setContentsMargins(0, 0, 0, 0);
    image_->setObjectName("timelineImage");
    image_->setToolTip(tr("x_t = √ᾱ_t · x0 + √(1−ᾱ_t) · ε: the chosen image x0 after t steps of noising. "
                          "ε is fixed per image, so moving t back shows the same picture again."));
    imageCaption_->setObjectName("timelineCaption");
    imageCaption_->setAlignment(Qt::AlignCenter);
    latentChannels_->setObjectName("timelineLatentChannels");
    latentChannels_->setToolTip(tr("The latent channels of x_t, as the latent model sees them: the autoencoder's "
                                   "latents of the image, noised; grey from −3 (black) to 3 (white)."));
    latentChannels_->hide();
    auto* pictures = new QHBoxLayout;
    pictures->addWidget(image_, 2);
    pictures->addWidget(latentChannels_, 3);
    imageLayout->addLayout(pictures, 1);
    imageLayout->addWidget(imageCaption_);
    points_->setObjectName("timelinePoints");
    picture_->addWidget(imagePage);
    picture_->addWidget(points_);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(picture_);
    splitter->addWidget(curves_);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({600, 700});

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(makeHelpLabel(
        tr("<b>Forward noising.</b> Training teaches a model to undo this: x_t = √ᾱ_t·x0 + √(1−ᾱ_t)·ε, "
           "where ε is Gaussian noise, <b>β_t</b> is the variance added at step t and <b>ᾱ_t</b> = ∏(1−β_s) the "
           "share of the image left. Drag the slider (or press ←/→, Page Up/Down) to move t; the image is the one "
           "chosen on the Dataset tab."),
        "timelineHelp", this));
    layout->addWidget(makeControls());
    layout->addWidget(splitter, 1);
    layout->addWidget(makeStrip());

    connect(worker_, &ForwardNoisingWorker::computed, this, &TimelineView::display);
    connect(worker_, &ForwardNoisingWorker::failed, this, [this](const QString& message) {
        imageCaption_->setText(tr("Cannot noise this image: %1").arg(message));
    });
    connect(datasetView_, &DatasetView::datasetChanged, this, &TimelineView::onDatasetChanged);
    connect(datasetView_, &DatasetView::chosenImageChanged, this, &TimelineView::requestFrame);
    connect(playTimer_, &QTimer::timeout, this, &TimelineView::advancePlayback);
    playTimer_->setInterval(kPlayIntervalMs);

    QSettings settings(kOrganizationName, kApplicationName);
    ScheduleChoice saved;
    saved.kind = settings.value(kScheduleKey, saved.kind).toString();
    saved.timesteps = settings.value(kTimestepsKey, saved.timesteps).toInt();
    setSchedule(saved);
    if (!setStripSteps(settings.value(kStripKey, kDefaultStrip).toString())) setStripSteps(kDefaultStrip);
    setT(settings.value(kTKey, 0).toInt());
    onDatasetChanged(datasetView_->dataset());
}

TimelineView::~TimelineView() { saveSettings(); }

QWidget* TimelineView::makeControls() {
    auto* box = new QWidget(this);
    auto* row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);

    scheduleKind_->setObjectName("timelineSchedule");
    scheduleKind_->addItem(tr("linear"), "linear");
    scheduleKind_->addItem(tr("cosine"), "cosine");
    scheduleKind_->addItem(tr("sigmoid"), "sigmoid");
    scheduleKind_->setToolTip(tr("How β_t grows with t. Linear: 1e-4 to 0.02 (Ho et al.). Cosine: ᾱ_t follows a "
                                 "cosine, so images keep detail longer (Nichol & Dhariwal). Sigmoid: an S-curve "
                                 "between the linear end points."));
    timesteps_->setObjectName("timelineTimesteps");
    timesteps_->setRange(2, 10000);
    timesteps_->setToolTip(tr("T, the number of noising steps. Fewer steps add more noise per step."));
    slider_->setObjectName("timelineSlider");
    slider_->setToolTip(tr("t: how many noising steps have been applied. Arrow keys step by 1, Page Up/Down by 10."));
    slider_->setPageStep(10);
    tBox_->setObjectName("timelineT");
    tBox_->setPrefix("t = ");
    play_->setObjectName("timelinePlay");
    play_->setCheckable(true);
    play_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    play_->setToolTip(tr("Play t from its current value to T−1"));
    stripEdit_->setObjectName("timelineStripSteps");
    stripEdit_->setToolTip(tr("Steps shown in the strip below, separated by commas"));
    stripEdit_->setMaximumWidth(180);

    row->addWidget(new QLabel(tr("Schedule"), box));
    row->addWidget(scheduleKind_);
    row->addWidget(new QLabel(tr("T"), box));
    row->addWidget(timesteps_);
    row->addSpacing(12);
    row->addWidget(play_);
    row->addWidget(slider_, 1);
    row->addWidget(tBox_);
    row->addSpacing(12);
    row->addWidget(new QLabel(tr("Strip at"), box));
    row->addWidget(stripEdit_);

    const auto scheduleEdited = [this] {
        setSchedule({scheduleKind_->currentData().toString(), timesteps_->value()});
    };
    connect(scheduleKind_, qOverload<int>(&QComboBox::activated), this, scheduleEdited);
    timesteps_->setKeyboardTracking(false);   // typing "500" is one change, not 5, 50, 500
    connect(timesteps_, qOverload<int>(&QSpinBox::valueChanged), this, scheduleEdited);
    connect(slider_, &QSlider::valueChanged, this, &TimelineView::setT);
    connect(tBox_, qOverload<int>(&QSpinBox::valueChanged), this, &TimelineView::setT);
    connect(play_, &QToolButton::toggled, this, &TimelineView::setPlaying);
    connect(stripEdit_, &QLineEdit::editingFinished, this, [this] { setStripSteps(stripEdit_->text()); });
    setFocusProxy(slider_);
    return box;
}

QWidget* TimelineView::makeStrip() {
    auto* box = new QWidget(this);
    box->setObjectName("timelineStrip");
    auto* column = new QVBoxLayout(box);
    column->setContentsMargins(0, 0, 0, 0);
    stripLayout_ = new QHBoxLayout;
    stripLayout_->addStretch(1);   // cells go before it, left-aligned
    column->addLayout(stripLayout_);
    stripMessage_->setObjectName("timelineStripMessage");
    stripMessage_->hide();
    column->addWidget(stripMessage_);
    return box;
}

int TimelineView::t() const { return slider_->value(); }

ScheduleChoice TimelineView::schedule() const { return {scheduleKind_->currentData().toString(), timesteps_->value()}; }

bool TimelineView::isPlaying() const { return playTimer_->isActive(); }

void TimelineView::setT(int t) {
    t = std::clamp(t, 0, timesteps_->value() - 1);
    const QSignalBlocker blockSlider(slider_), blockBox(tBox_);
    const bool changed = slider_->value() != t;
    slider_->setValue(t);
    tBox_->setValue(t);
    curves_->setCursor(t);
    if (changed || shown_.t != t) requestFrame();
}

void TimelineView::setSchedule(const ScheduleChoice& schedule) {
    const int index = scheduleKind_->findData(schedule.kind);
    const ScheduleChoice valid{index >= 0 ? schedule.kind : QStringLiteral("linear"), std::max(2, schedule.timesteps)};
    {
        const QSignalBlocker blockKind(scheduleKind_), blockT(timesteps_), blockSlider(slider_), blockBox(tBox_);
        scheduleKind_->setCurrentIndex(std::max(0, index));
        timesteps_->setValue(valid.timesteps);
        slider_->setRange(0, valid.timesteps - 1);
        tBox_->setRange(0, valid.timesteps - 1);
    }
    setT(slider_->value());
    requestFrame();
}

bool TimelineView::setStripSteps(const QString& text) {
    const auto parsed = ddpm::parseIntList(text.simplified().remove(' ').toStdString());
    if (!parsed || parsed->empty() ||
        std::any_of(parsed->begin(), parsed->end(), [](int s) { return s < 0; })) {
        stripMessage_->setText(tr("Strip steps: “%1” is not a list of steps like 0, 100, 500, 999").arg(text));
        stripMessage_->show();
        return false;
    }
    stripMessage_->hide();
    stripSteps_ = QVector<int>(parsed->begin(), parsed->end());
    stripEdit_->setText(stripText(stripSteps_));
    requestFrame();
    return true;
}

void TimelineView::setPlaying(bool playing) {
    if (playing == isPlaying()) return;
    if (playing && t() >= timesteps_->value() - 1) setT(0);   // play from the start again
    playing ? playTimer_->start() : playTimer_->stop();
    const QSignalBlocker block(play_);
    play_->setChecked(playing);
    play_->setIcon(style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
}

void TimelineView::advancePlayback() {
    const int last = timesteps_->value() - 1;
    setT(std::min(last, t() + std::max(1, timesteps_->value() / kPlayTicks)));
    if (t() >= last) setPlaying(false);
}

void TimelineView::keyPressEvent(QKeyEvent* event) {
    // The slider handles these itself when it has focus; elsewhere in the tab, so do we.
    switch (event->key()) {
        case Qt::Key_Left: setT(t() - 1); break;
        case Qt::Key_Right: setT(t() + 1); break;
        case Qt::Key_PageDown: setT(t() - slider_->pageStep()); break;
        case Qt::Key_PageUp: setT(t() + slider_->pageStep()); break;
        case Qt::Key_Home: setT(0); break;
        case Qt::Key_End: setT(timesteps_->value() - 1); break;
        case Qt::Key_Space: setPlaying(!isPlaying()); break;
        default: return QWidget::keyPressEvent(event);
    }
    event->accept();
}

void TimelineView::onDatasetChanged(const DatasetPtr& dataset) {
    dataset_ = dataset;
    const bool points = dataset && dataset->isPoints();
    picture_->setCurrentWidget(points ? static_cast<QWidget*>(points_) : picture_->widget(0));
    points_->setBackdrop(points ? datasetPoints(*dataset) : QVector<QPointF>(), tr("data x0"));
    points_->setPoints({}, QString());
    requestFrame();
}

void TimelineView::setModel(const QString& checkpoint) {
    model_ = checkpoint;
    requestFrame();
}

void TimelineView::requestFrame() {
    ForwardNoisingRequest r;
    r.model = model_;
    r.dataset = dataset_;
    r.index = datasetView_->chosenImage();
    r.schedule = schedule();
    r.t = t();
    r.stripSteps = stripSteps_;
    worker_->request(r);
}

void TimelineView::display(const ForwardNoisingResult& result) {
    shown_ = result;
    curves_->setCurves(result.curves);
    const double abar = result.t < result.curves.alphaBar.size() ? result.curves.alphaBar[result.t] : 0.0;
    const QString numbers = tr("t = %1 · ᾱ_t = %2 · √ᾱ_t = %3 · SNR = %4")
                                .arg(result.t)
                                .arg(abar, 0, 'g', 3)
                                .arg(std::sqrt(abar), 0, 'g', 3)
                                .arg(abar / std::max(1e-12, 1 - abar), 0, 'g', 3);
    if (dataset_ && dataset_->isPoints()) {
        points_->setPoints(result.xtPoints, tr("x_t at t = %1").arg(result.t));
    } else {
        image_->setImage(result.xt);
        image_->setText(result.xt.isNull() ? tr("No image chosen: pick one on the Dataset tab") : QString());
        latentChannels_->setImage(result.latentChannels);
        latentChannels_->setVisible(!result.latentChannels.isNull());
    }
    imageCaption_->setText(result.space.isEmpty()
                               ? numbers
                               : tr("%1 · noised: %2").arg(numbers, result.space));
    showStrip(result);
    emit shownChanged(result.t);
}

void TimelineView::showStrip(const ForwardNoisingResult& result) {
    const bool images = !(dataset_ && dataset_->isPoints());
    const int n = images ? int(result.strip.size()) : 0;
    while (stripImages_.size() > n) {
        delete stripImages_.takeLast()->parentWidget();   // the cell, with its caption
        stripCaptions_.removeLast();
    }
    while (stripImages_.size() < n) {
        auto* cell = new QWidget(this);
        auto* cellLayout = new QVBoxLayout(cell);
        cellLayout->setContentsMargins(0, 0, 0, 0);
        auto* image = new PixelImageLabel(cell);
        image->setFixedSize(kStripSide, kStripSide);
        auto* caption = new QLabel(cell);
        caption->setAlignment(Qt::AlignCenter);
        cellLayout->addWidget(image);
        cellLayout->addWidget(caption);
        stripLayout_->insertWidget(stripImages_.size(), cell);
        stripImages_.append(image);
        stripCaptions_.append(caption);
    }
    for (int i = 0; i < n; ++i) {
        stripImages_[i]->setImage(result.strip[i]);
        stripCaptions_[i]->setText(QStringLiteral("t = %1").arg(result.stripSteps.value(i)));
    }
}

void TimelineView::saveSettings() const {
    QSettings settings(kOrganizationName, kApplicationName);
    settings.setValue(kScheduleKey, schedule().kind);
    settings.setValue(kTimestepsKey, schedule().timesteps);
    settings.setValue(kStripKey, stripText(stripSteps_));
    settings.setValue(kTKey, t());
}

}  // namespace ddpm::ui
