#pragma once
// The strip above the Dataset view's content that says what loading is doing:
// a progress bar and a Cancel button while a dataset loads, the loader's
// message when it failed (the previous dataset stays), nothing otherwise.
#include <QFrame>
#include <QPalette>

class QLabel;
class QProgressBar;
class QPushButton;

namespace ddpm::ui {

class LoadStatusBar : public QFrame {
    Q_OBJECT

public:
    explicit LoadStatusBar(QWidget* parent = nullptr);

    QString message() const;   // the text shown now ("" when hidden)

public slots:
    void showLoading(const QString& what);
    void setProgress(qint64 done, qint64 total);   // total 0: busy indicator
    void showError(const QString& message);
    void showNotice(const QString& message);
    void clear();   // hides the strip

signals:
    void cancelRequested();

private:
    enum class Look { Loading, Error, Notice };
    void setLook(Look look);

    QLabel* message_;
    QProgressBar* progress_;
    QPushButton* cancel_;
    QPushButton* dismiss_;
    QPalette defaultPalette_;
};

}  // namespace ddpm::ui
