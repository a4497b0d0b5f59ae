#pragma once
// The Train tab's form: model preset, pixels or an autoencoder's latents, resolution, batch, learning rate,
// schedule, objective, EMA, precision, run length, class conditioning, and how
// often to preview and autosave. Every field has a tooltip that says what it
// does; the values start at core's defaults (TrainSettings::defaults()).
#include <QWidget>

#include "dataset/DatasetPtr.h"
#include "training/TrainSettings.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;

namespace ddpm::ui {

class TrainSettingsPanel : public QWidget {
    Q_OBJECT

public:
    explicit TrainSettingsPanel(QWidget* parent = nullptr);

    TrainSettings settings() const;
    void setSettings(const TrainSettings& settings);
    // Offers what fits the data: the MLP for 2-D points, U-Nets for images; the
    // resolution of the data (a choice only for image folders, which reload);
    // class conditioning only with labels.
    void setDataset(const DatasetPtr& dataset);
    // While a run exists its model settings are fixed; the cadences stay editable.
    void setModelEditable(bool editable);
    // Prompts through the frozen CLIP text encoder of `folder` (a Hugging Face folder): what
    // the folder picked with "CLIP folder…" does. Returns false, having warned, when the folder lacks
    // one of its four files.
    bool chooseClipFolder(const QString& folder);

signals:
    // An image folder should be loaded again at this resolution.
    void resolutionChangeRequested(int resolution);
    void cadenceChanged(const ddpm::RunCadence& cadence);

private:
    void addRows();
    void updatePresetChoices(bool points);
    void updateSpaceRows();   // the autoencoder row only for latents of images
    void updateConditioningEnabled();   // classes where there are labels, prompts where there are captions
    void selectTextEncoder(const QString& encoder);   // adds the item of a CLIP folder when it is new

    QComboBox* preset_;
    QComboBox* space_;              // pixels, or latents of an autoencoder
    QWidget* autoencoderRow_;
    QLineEdit* autoencoderPath_;
    QPushButton* chooseAutoencoder_;
    QDoubleSpinBox* autoencoderMinutes_;   // when none is chosen: train one first this long
    QComboBox* resolution_;
    QSpinBox* batch_;
    QDoubleSpinBox* learningRate_;
    QComboBox* schedule_;
    QComboBox* objective_;
    QDoubleSpinBox* emaDecay_;
    QComboBox* precision_;
    QComboBox* lengthKind_;
    QStackedWidget* lengthValue_;
    QSpinBox* steps_;
    QDoubleSpinBox* minutes_;
    QCheckBox* conditional_;
    QComboBox* textEncoder_;
    QPushButton* chooseClip_;       // picks a CLIP folder for the Prompts list
    QDoubleSpinBox* classDrop_;
    QSpinBox* previewEvery_;
    QDoubleSpinBox* autosave_;
    QSpinBox* saveEvery_;
    QFormLayout* form_ = nullptr;
    QString preferredImagePreset_;   // what the user chose for images, kept across a toy dataset
    bool pointsData_ = false;   // 2-D points: only the MLP fits
    bool hasLabels_ = false;
    bool hasCaptions_ = false;
    bool resolutionChoosable_ = false;   // an image folder: it can be loaded at another size
    bool modelEditable_ = true;
};

}  // namespace ddpm::ui
