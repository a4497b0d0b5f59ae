#pragma once
// The sampling settings both the Denoise and the Samples tab offer: sampler
// (DDPM over all T steps, or DDIM with N steps and η), seed, batch size, the
// class for class-conditional models, the prompt and negative prompt for text
// models (the model's caption words offered as completions, words it never saw
// named), and the guidance scale. Kept in QSettings under the owner's prefix.
#include <QGroupBox>
#include <optional>

#include "conditioning/WordTokenizer.h"
#include "generation/Sampling.h"

class QComboBox;
class QCompleter;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;
class QStringListModel;

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

    // The prompt's words as the model reads them (start and end excluded): the tokens a
    // cross-attention map can be shown for, token k + 1 for word k. Empty for other models.
    QStringList promptTokens() const;

signals:
    void changed();

private:
    void updateEnabled();
    void updatePromptNote();
    void completeWord(const QString& word);   // replaces the word being typed in the prompt
    void saveSettings() const;

    QString prefix_;
    int numClasses_ = 0;
    std::optional<ddpm::WordTokenizer> tokenizer_;   // built-in text models: their vocabulary
    std::shared_ptr<const ddpm::ClipTokenizer> clipTokenizer_;   // CLIP text models
    bool takesPrompts() const { return tokenizer_ || clipTokenizer_; }
    int promptContext_ = 0;
    std::string checkpointName_;   // the model's file name
    QFormLayout* form_;
    QComboBox* sampler_;
    QSpinBox* steps_;
    QDoubleSpinBox* eta_;
    QSpinBox* seed_;
    QSpinBox* count_;
    QComboBox* classLabel_;
    QLineEdit* prompt_;
    QLineEdit* negativePrompt_;
    QLabel* promptNote_;
    QStringListModel* completions_;
    QCompleter* completer_;
    QDoubleSpinBox* guidance_;
};

}  // namespace ddpm::ui
