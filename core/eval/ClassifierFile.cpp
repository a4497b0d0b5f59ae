#include "eval/ClassifierFile.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "models/ModuleState.h"
#include "training/Checkpoint.h"
#include "util/ArchiveFile.h"
#include "util/DisplayPath.h"

namespace ddpm {

namespace {
constexpr const char* kFormat = "ddpm-studio-classifier 1";
}

void saveClassifier(const std::string& path, const ClassifierRecord& record) {
    torch::serialize::OutputArchive root, weights;
    record.net->save(weights);
    root.write("format", c10::IValue(std::string(kFormat)));
    root.write("config", c10::IValue(record.net->config().serialize()));
    root.write("weights", weights);
    root.write("weights_crc32", moduleStateChecksums({record.net.get()}));
    root.write("held_out", torch::tensor({record.heldOutAccuracy, double(record.heldOutCount)}, torch::kFloat64));
    writeArchiveAtomically(path, root);
}

ClassifierRecord loadClassifier(const std::string& path, torch::Device device) {
    const std::string shown = displayPath(path);
    torch::serialize::InputArchive root;
    try {
        root = readArchive(path, "classifier");
    } catch (const std::exception& e) {
        throw CheckpointError(shown, e.what());
    }
    c10::IValue format, configText;
    if (!root.try_read("format", format) || !format.isString() || format.toStringRef() != kFormat)
        throw CheckpointError(shown, "not a DDPM Studio classifier (no '" + std::string(kFormat) + "' marker)");
    if (!root.try_read("config", configText) || !configText.isString())
        throw CheckpointError(shown, "the classifier holds no configuration");
    ClassifierRecord record;
    try {
        record.net = ClassifierNet(ClassifierConfig::deserialize(configText.toStringRef()));
    } catch (const std::exception& e) {
        throw CheckpointError(shown, std::string("bad classifier configuration: ") + e.what());
    }
    try {
        torch::serialize::InputArchive weights;
        root.read("weights", weights);
        loadModuleState(*record.net, weights);
        torch::Tensor heldOut;
        root.read("held_out", heldOut);
        record.heldOutAccuracy = heldOut[0].item<double>();
        record.heldOutCount = static_cast<long long>(heldOut[1].item<double>());
    } catch (const std::exception& e) {
        std::string what = e.what();
        throw CheckpointError(shown, "the classifier weights are missing or damaged: " + what.substr(0, what.find('\n')));
    }
    torch::Tensor checksum;   // absent in classifiers from before they carried one
    root.try_read("weights_crc32", checksum);
    if (!matchesStoredChecksum(*record.net, checksum, 0, 1))
        throw CheckpointError(shown, "the classifier weights fail their checksum: the file was damaged after it was written");
    record.net->to(device);
    record.net->eval();   // batch-norm statistics and no dropout: features must not depend on the batch
    return record;
}

}  // namespace ddpm
