#pragma once
// Which model a tab draws from: its file and one line about it, "Loading …"
// while the worker reads it, or why it could not be read.
#include <QLabel>

#include "generation/Sampling.h"

namespace ddpm::ui {

class ModelLabel : public QLabel {
    Q_OBJECT

public:
    explicit ModelLabel(QWidget* parent = nullptr);

    void showLoading(const QString& path);
    void showModel(const ModelSummary& model);
    void showFailure(const QString& message);
};

}  // namespace ddpm::ui
