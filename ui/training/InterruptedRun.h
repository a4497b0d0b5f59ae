#pragma once
// The run the Train tab has in progress, noted in the settings while it trains
// and cleared when it ends as the user chose. A note still there at the next
// launch means the app ended mid-run (a crash, a kill, a lost display), and the
// run's last autosave can be offered for resuming.
#include <QString>
#include <optional>

namespace ddpm::ui {

struct InterruptedRun {
    QString runFolder;       // where the run autosaves (model.ckpt)
    QString datasetSource;   // the path or built-in name its dataset was loaded from
    QString checkpoint() const;
};

void noteRunInProgress(const InterruptedRun& run);
void clearRunInProgress();
// The noted run, when its folder holds a checkpoint to resume from.
std::optional<InterruptedRun> interruptedRun();

}  // namespace ddpm::ui
