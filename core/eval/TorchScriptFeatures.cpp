#include "eval/TorchScriptFeatures.h"

#include <filesystem>
#include <stdexcept>

#include <torch/script.h>

#include "util/DisplayPath.h"

namespace ddpm {

struct TorchScriptFeatures::Module {
    torch::jit::Module module;
};

TorchScriptFeatures::TorchScriptFeatures(const std::string& path, torch::Device device)
    : module_(std::make_unique<Module>()), path_(path) {
    const std::string shown = displayPath(path);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw std::runtime_error(shown + ": no such feature network file");
    try {
        module_->module = torch::jit::load(path, device);
    } catch (const std::exception& e) {
        std::string what = e.what();
        throw std::runtime_error(shown + ": not a TorchScript module (" + what.substr(0, what.find('\n')) + ")");
    }
    module_->module.eval();
    if (!module_->module.find_method("forward"))
        throw std::runtime_error(shown + ": the TorchScript module has no forward method");
    for (const auto& argument : module_->module.get_method("forward").function().getSchema().arguments())
        if (argument.name() == "return_features") takesReturnFeatures_ = true;
}

TorchScriptFeatures::~TorchScriptFeatures() = default;
TorchScriptFeatures::TorchScriptFeatures(TorchScriptFeatures&&) noexcept = default;

torch::Tensor TorchScriptFeatures::features(const torch::Tensor& x) {
    torch::InferenceMode guard;
    torch::jit::Kwargs kwargs;
    if (takesReturnFeatures_) kwargs.emplace("return_features", true);
    auto result = module_->module.get_method("forward")({x}, kwargs);
    if (result.isTuple()) result = result.toTupleRef().elements().at(0);
    if (!result.isTensor()) throw std::runtime_error(displayPath(path_) + ": forward did not return a tensor");
    auto f = result.toTensor();
    if (f.dim() != 2 || f.size(0) != x.size(0))
        throw std::runtime_error(displayPath(path_) + ": forward returned shape " + c10::str(f.sizes()) +
                                 ", expected (batch, features)");
    return f.to(torch::kFloat);
}

std::string TorchScriptFeatures::description() const {
    return "TorchScript " + displayPath(path_) + (takesReturnFeatures_ ? " (return_features=True)" : "");
}

}  // namespace ddpm
