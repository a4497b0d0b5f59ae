#pragma once
// The Evaluate tab: FID and KID of a run's checkpoints against training step.
// The user picks a run folder (the Train tab's by default) or checkpoint
// files; an EvaluationWorker scores them in step order on the dataset the
// Dataset tab holds. Scores fill a plot (FID left axis, KID ± std right axis),
// a table and, on request, a CSV file. The extractor that gave the numbers is
// printed under the plot: numbers from different extractors never compare.
#include <QList>
#include <QWidget>

#include "evaluation/Evaluation.h"

class QCPErrorBars;
class QCheckBox;
class QCustomPlot;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace ddpm::ui {

class DatasetView;
class EvaluationWorker;
class TrainView;

class EvaluateView : public QWidget {
    Q_OBJECT

public:
    static constexpr int kDefaultSampleCount = 500;   // quick on a CPU; ddpm eval uses up to 10,000

    EvaluateView(DatasetView* datasetView, TrainView* trainView, QWidget* parent = nullptr);
    ~EvaluateView() override;

    EvaluationWorker* worker() const { return worker_; }
    QCustomPlot* plot() const { return plot_; }
    QTableWidget* table() const { return table_; }
    const QList<CheckpointScore>& scores() const { return scores_; }
    QStringList checkpoints() const { return checkpoints_; }

public slots:
    void setRunFolder(const QString& folder);          // its step snapshots and model.ckpt
    // Files one by one; the tab stops following the Train tab's run folder.
    void setCheckpointFiles(const QStringList& files);
    void evaluate();
    void cancel();
    // Atomic; "" on success, else the reason (also shown in the status line).
    QString exportCsv(const QString& path);

protected:
    void showEvent(QShowEvent* event) override;        // lists the Train tab's run folder, unless another was chosen

private:
    QWidget* makeSettings();
    QWidget* makeResults();
    void chooseRunFolder();
    void chooseCheckpointFiles();
    void chooseFeatureFile();
    void showExportDialog();
    void addScore(const CheckpointScore& score);
    void clearScores();
    void setRunning(bool running);
    void showStatus(const QString& text, bool error = false);

    DatasetView* datasetView_;
    TrainView* trainView_;
    EvaluationWorker* worker_;
    QStringList checkpoints_;
    QString runFolder_;          // "" when files were picked one by one
    bool followsTrainRun_ = true;   // until another folder or files are chosen
    QList<CheckpointScore> scores_;

    QLabel* source_;
    QSpinBox* sampleCount_;
    QSpinBox* samplerSteps_;
    QComboBox* features_;
    QLineEdit* featureFile_;
    QCheckBox* heldOutCaptions_;
    QPushButton *evaluate_, *cancel_, *export_;
    QProgressBar* progress_;
    QLabel* status_;
    QCustomPlot* plot_;
    QCPErrorBars* kidErrors_;
    QLabel* extractor_;
    QTableWidget* table_;
};

}  // namespace ddpm::ui
