#pragma once
// The sampling settings both the Denoise and the Samples tab offer: sampler
// (DDPM over all T steps, or DDIM with N steps and η), seed, batch size, and
// class and guidance scale for class-conditional models. Kept in QSettings
// under the owner's prefix.
#include <QGroupBox>

#include "generation/Sampling.h"

class QComboBox;
class QDoubleSpinBox;
class QSpinBox;

namespace ddpm::ui {

class SamplerControls : public QGroupBox {
    Q_OBJECT

public:
    // settingsPrefix: "denoise" or "samples"; maxCount: the largest batch offered.
    SamplerControls(const QString& settingsPrefix, int defaultCount, int maxCount, QWidget* parent = nullptr);
    ~SamplerControls() override;   // saves the settings

    // The settings, with the model's checkpoint named as their provenance.
    ddpm::SamplingParameters parameters() const;
    void setParameters(const ddpm::SamplingParameters& parameters);   // values out of range are clamped
    // Enables class and guidance for class-conditional models, caps DDIM steps at T.
    void setModel(const ModelSummary& model);

signals:
    void changed();

private:
    void updateEnabled();
    void saveSettings() const;

    QString prefix_;
    int numClasses_ = 0;
    std::string checkpointName_;   // the model's file name
    QComboBox* sampler_;
    QSpinBox* steps_;
    QDoubleSpinBox* eta_;
    QSpinBox* seed_;
    QSpinBox* count_;
    QComboBox* classLabel_;
    QDoubleSpinBox* guidance_;
};

}  // namespace ddpm::ui
