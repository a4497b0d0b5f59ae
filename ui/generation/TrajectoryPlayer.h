#pragma once
// Play, pause, step and scrub through the frames of a kept trajectory, at a
// chosen speed. Owns no frames: it says which one to show.
#include <QWidget>

class QComboBox;
class QLabel;
class QSlider;
class QTimer;
class QToolButton;

namespace ddpm::ui {

class TrajectoryPlayer : public QWidget {
    Q_OBJECT

public:
    explicit TrajectoryPlayer(QWidget* parent = nullptr);

    int frame() const;
    int frameCount() const { return count_; }
    bool isPlaying() const;
    int framesPerSecond() const;

public slots:
    void setFrameCount(int count);   // keeps the current frame when it still exists
    void setFrame(int index);   // always emits frameChanged (when there are frames)
    void setPlaying(bool playing);
    void stepForward() { setFrame(frame() + 1); }
    void stepBack() { setFrame(frame() - 1); }

signals:
    void frameChanged(int index);

private:
    void advance();
    void updatePosition();

    int count_ = 0;
    QToolButton *play_, *back_, *forward_;
    QSlider* slider_;
    QLabel* position_;
    QComboBox* speed_;
    QTimer* timer_;
};

}  // namespace ddpm::ui
