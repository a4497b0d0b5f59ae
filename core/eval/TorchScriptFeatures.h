#pragma once
// A user-supplied TorchScript feature network (e.g. the inception-2015-12-05.pt
// of StyleGAN's metrics), behind a header free of torch/script.h.
#include <memory>
#include <string>

#include <torch/types.h>

namespace ddpm {

class TorchScriptFeatures {
public:
    static constexpr int kInputSize = 299;   // Inception's input resolution

    // Throws std::runtime_error naming the file when it is not a loadable TorchScript module.
    TorchScriptFeatures(const std::string& path, torch::Device device);
    ~TorchScriptFeatures();
    TorchScriptFeatures(TorchScriptFeatures&&) noexcept;

    // x (B,3,299,299) float in [0,255] -> (B,D) float32. Passes return_features=True
    // when the module's forward takes it (StyleGAN's detector does).
    torch::Tensor features(const torch::Tensor& x);
    std::string description() const;

private:
    struct Module;
    std::unique_ptr<Module> module_;
    std::string path_;
    bool takesReturnFeatures_ = false;
};

}  // namespace ddpm
