#include "generation/RequestParameters.h"

#include <QFileInfo>

namespace ddpm::ui {

ddpm::SampleParameters toSampleParameters(const SamplingRequest& r, const ModelSummary& model) {
    ddpm::SampleParameters p;
    p.sampler = r.sampler.toStdString();
    p.steps = r.sampler == "ddpm" ? model.timesteps : r.steps;   // as `ddpm sample` writes it
    p.eta = r.eta;
    p.count = r.count;
    p.seed = r.seed;
    p.guidance = r.guidance;
    p.classLabel = r.classLabel;
    p.checkpoint = QFileInfo(model.path).fileName().toStdString();
    return p;
}

SamplingRequest toSamplingRequest(const ddpm::SampleParameters& p) {
    SamplingRequest r;
    r.sampler = QString::fromStdString(p.sampler);
    r.steps = p.steps;
    r.eta = p.eta;
    r.count = int(p.count);
    r.seed = p.seed;
    r.guidance = p.guidance;
    r.classLabel = p.classLabel;
    return r;
}

}  // namespace ddpm::ui
