#pragma once
// How a loaded dataset is passed between threads, views and tabs: shared and
// immutable, so a tab can keep using it while another dataset loads.
#include <QMetaType>
#include <memory>

#include "data/Dataset.h"

namespace ddpm::ui {
using DatasetPtr = std::shared_ptr<const ddpm::Dataset>;
}  // namespace ddpm::ui

Q_DECLARE_METATYPE(ddpm::ui::DatasetPtr)
