#include "generation/TrajectoryPlayer.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QTimer>
#include <QToolButton>

namespace ddpm::ui {

TrajectoryPlayer::TrajectoryPlayer(QWidget* parent)
    : QWidget(parent),
      play_(new QToolButton(this)),
      back_(new QToolButton(this)),
      forward_(new QToolButton(this)),
      slider_(new QSlider(Qt::Horizontal, this)),
      position_(new QLabel(this)),
      speed_(new QComboBox(this)),
      timer_(new QTimer(this)) {
    setObjectName("trajectoryPlayer");
    play_->setObjectName("trajectoryPlay");
    play_->setCheckable(true);
    play_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    play_->setToolTip(tr("Play the kept trajectory from x_T to the finished samples"));
    back_->setIcon(style()->standardIcon(QStyle::SP_MediaSeekBackward));
    back_->setToolTip(tr("One step back"));
    forward_->setIcon(style()->standardIcon(QStyle::SP_MediaSeekForward));
    forward_->setToolTip(tr("One step forward"));
    slider_->setObjectName("trajectorySlider");
    slider_->setToolTip(tr("Scrub through the denoising steps"));
    position_->setObjectName("trajectoryPosition");
    position_->setMinimumWidth(90);
    speed_->setObjectName("trajectorySpeed");
    for (int fps : {2, 5, 10, 25, 50}) speed_->addItem(tr("%1 frames/s").arg(fps), fps);
    speed_->setCurrentIndex(2);
    speed_->setToolTip(tr("Playback speed; exported animations use it too"));

    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(back_);
    row->addWidget(play_);
    row->addWidget(forward_);
    row->addWidget(slider_, 1);
    row->addWidget(position_);
    row->addWidget(speed_);

    connect(play_, &QToolButton::toggled, this, &TrajectoryPlayer::setPlaying);
    connect(back_, &QToolButton::clicked, this, &TrajectoryPlayer::stepBack);
    connect(forward_, &QToolButton::clicked, this, &TrajectoryPlayer::stepForward);
    connect(slider_, &QSlider::valueChanged, this, &TrajectoryPlayer::setFrame);
    connect(speed_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this] { timer_->setInterval(1000 / framesPerSecond()); });
    connect(timer_, &QTimer::timeout, this, &TrajectoryPlayer::advance);
    timer_->setInterval(1000 / framesPerSecond());
    setFrameCount(0);
}

int TrajectoryPlayer::frame() const { return slider_->value(); }

bool TrajectoryPlayer::isPlaying() const { return timer_->isActive(); }

int TrajectoryPlayer::framesPerSecond() const { return speed_->currentData().toInt(); }

void TrajectoryPlayer::setFrameCount(int count) {
    count_ = std::max(0, count);
    {
        const QSignalBlocker block(slider_);
        slider_->setRange(0, std::max(0, count_ - 1));
    }
    for (QWidget* w : std::initializer_list<QWidget*>{play_, back_, forward_, slider_}) w->setEnabled(count_ > 1);
    if (count_ <= 1) setPlaying(false);
    // Frames streaming in only lengthen the range: the shown frame stays, and is not re-sent.
    const int kept = std::clamp(slider_->value(), 0, std::max(0, count_ - 1));
    if (kept != slider_->value() || count_ == 0) setFrame(kept);
    else updatePosition();
}

void TrajectoryPlayer::updatePosition() {
    position_->setText(count_ > 0 ? tr("frame %1/%2").arg(frame() + 1).arg(count_) : tr("no frames"));
}

void TrajectoryPlayer::setFrame(int index) {
    index = std::clamp(index, 0, std::max(0, count_ - 1));
    {
        const QSignalBlocker block(slider_);
        slider_->setValue(index);
    }
    updatePosition();
    if (count_ > 0) emit frameChanged(index);
}

void TrajectoryPlayer::setPlaying(bool playing) {
    if (playing && count_ <= 1) playing = false;
    if (playing && !isPlaying() && frame() >= count_ - 1) setFrame(0);   // from the start again
    playing ? timer_->start() : timer_->stop();
    const QSignalBlocker block(play_);
    play_->setChecked(playing);
    play_->setIcon(style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
}

void TrajectoryPlayer::advance() {
    if (frame() >= count_ - 1) return setPlaying(false);
    stepForward();
}

}  // namespace ddpm::ui
