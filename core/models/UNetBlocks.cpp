#include "models/UNetBlocks.h"

#include <cmath>
#include <limits>

#include "models/MixedPrecision.h"

namespace ddpm {

namespace {
torch::nn::Conv2d conv3x3(int64_t in, int64_t out) {
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1));
}
}  // namespace

ResBlockImpl::ResBlockImpl(int64_t inChannels, int64_t outChannels, int64_t embeddingDim, int groups, double dropout,
                           bool film)
    : film_(film) {
    norm1_ = register_module("norm1", torch::nn::GroupNorm(groups, inChannels));
    conv1_ = register_module("conv1", conv3x3(inChannels, outChannels));
    timeProjection_ = register_module("time_projection", torch::nn::Linear(embeddingDim, (film ? 2 : 1) * outChannels));
    norm2_ = register_module("norm2", torch::nn::GroupNorm(groups, outChannels));
    dropout_ = register_module("dropout", SeededDropout(dropout));
    conv2_ = register_module("conv2", conv3x3(outChannels, outChannels));
    if (inChannels != outChannels)
        skip_ = register_module("skip", torch::nn::Conv2d(torch::nn::Conv2dOptions(inChannels, outChannels, 1)));
}

torch::Tensor ResBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& temb) {
    auto h = conv(conv1_, torch::silu(norm1_->forward(x)));                       // (B,Cout,H,W)
    auto e = linear(timeProjection_, torch::silu(temb)).unsqueeze(-1).unsqueeze(-1);   // (B,Cout or 2Cout,1,1)
    if (film_) {
        auto scaleShift = e.chunk(2, 1);
        h = norm2_->forward(h) * (1 + scaleShift[0]) + scaleShift[1];
    } else {
        h = norm2_->forward(h + e);
    }
    h = conv(conv2_, dropout_->forward(torch::silu(h)));
    return (skip_ ? conv(skip_, x) : x) + h;
}

AttentionBlockImpl::AttentionBlockImpl(int64_t channels, int groups) {
    norm_ = register_module("norm", torch::nn::GroupNorm(groups, channels));
    qkv_ = register_module("qkv", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, 3 * channels, 1)));
    projection_ = register_module("projection", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 1)));
}

torch::Tensor AttentionBlockImpl::forward(const torch::Tensor& x) {
    const int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
    auto qkv = conv(qkv_, norm_->forward(x)).reshape({B, 3, C, H * W});
    auto q = qkv.select(1, 0), k = qkv.select(1, 1), v = qkv.select(1, 2);       // (B,C,HW)
    auto weights = ddpm::bmm(q.transpose(1, 2), k).mul(1.0 / std::sqrt(double(C)));    // (B,HW,HW)
    weights = torch::softmax(weights, -1);
    auto out = ddpm::bmm(v, weights.transpose(1, 2)).reshape({B, C, H, W});            // (B,C,H,W)
    return x + conv(projection_, out);
}

CrossAttentionBlockImpl::CrossAttentionBlockImpl(int64_t channels, int64_t contextWidth, int groups)
    : heads_(channels % 32 == 0 && channels >= 64 ? channels / 32 : 1) {
    norm_ = register_module("norm", torch::nn::GroupNorm(groups, channels));
    query_ = register_module("query", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 1)));
    key_ = register_module("key", torch::nn::Linear(contextWidth, channels));
    value_ = register_module("value", torch::nn::Linear(contextWidth, channels));
    projection_ = register_module("projection", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 1)));
}

torch::Tensor CrossAttentionBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& context,
                                               const torch::Tensor& mask) {
    const int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3), L = context.size(1);
    const int64_t h = heads_, c = C / heads_;
    const auto q = conv(query_, norm_->forward(x)).reshape({B * h, c, H * W}).transpose(1, 2);   // (Bh,HW,c)
    const auto k = linear(key_, context).reshape({B, L, h, c}).permute({0, 2, 3, 1}).reshape({B * h, c, L});   // (Bh,c,L)
    const auto v = linear(value_, context).reshape({B, L, h, c}).transpose(1, 2).reshape({B * h, L, c});     // (Bh,L,c)
    auto scores = ddpm::bmm(q, k).mul(1.0 / std::sqrt(double(c))).reshape({B, h, H * W, L});                 // (B,h,HW,L)
    scores = scores.masked_fill(mask.to(torch::kBool).logical_not().reshape({B, 1, 1, L}),
                                -std::numeric_limits<float>::infinity());
    const auto weights = torch::softmax(scores, -1);                                                         // (B,h,HW,L)
    if (recording_) recorded_ = weights.mean(1).detach();                                                    // (B,HW,L)
    const auto out = ddpm::bmm(weights.reshape({B * h, H * W, L}), v);                                       // (Bh,HW,c)
    return x + conv(projection_, out.transpose(1, 2).reshape({B, C, H, W}));
}

}  // namespace ddpm
