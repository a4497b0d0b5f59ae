#include "distributed/GradientAllReduce.h"

#include <torch/autograd.h>

#include "distributed/DistributedGroupImpl.h"

namespace ddpm {

namespace {

struct Bucket {
    std::vector<size_t> params;   // indices into State::params
    torch::Tensor flat;           // (sum of their numel) float32
    size_t pending = 0;           // gradients still to come this step
    c10::intrusive_ptr<c10d::Work> work;
};

}  // namespace

struct GradientAllReduce::State {
    DistributedGroup* group;
    std::vector<torch::Tensor> params;
    std::vector<size_t> bucketOf, offsetOf;   // per parameter
    std::vector<bool> arrived;                // per parameter, this step
    std::vector<unsigned> hooks;
    std::vector<Bucket> buckets;
    size_t nextToLaunch = 0;

    void launchReadyBuckets() {
        while (nextToLaunch < buckets.size() && buckets[nextToLaunch].pending == 0) {
            Bucket& bucket = buckets[nextToLaunch++];
            std::vector<torch::Tensor> tensors{bucket.flat};
            bucket.work = group->impl().collectives->allreduce(tensors);
        }
    }

    void gradientArrived(size_t index, const torch::Tensor& grad) {
        Bucket& bucket = buckets[bucketOf[index]];
        bucket.flat.narrow(0, int64_t(offsetOf[index]), grad.numel()).copy_(grad.reshape({-1}));
        if (!arrived[index]) {
            arrived[index] = true;
            --bucket.pending;
        }
        launchReadyBuckets();
    }
};

GradientAllReduce::GradientAllReduce(DistributedGroup& group, std::vector<torch::Tensor> params)
    : state_(std::make_unique<State>()) {
    State& s = *state_;
    s.group = &group;
    s.params = std::move(params);
    s.bucketOf.resize(s.params.size());
    s.offsetOf.resize(s.params.size());
    s.arrived.assign(s.params.size(), false);
    size_t bucketBytes = 0;
    for (size_t k = s.params.size(); k-- > 0;) {
        const torch::Tensor& p = s.params[k];
        if (p.scalar_type() != torch::kFloat) throw std::invalid_argument("GradientAllReduce takes float32 parameters");
        const size_t bytes = size_t(p.numel()) * sizeof(float);
        const size_t cap = s.buckets.size() == 1 ? kFirstBucketBytes : kBucketBytes;   // the first fills, and goes, soonest
        if (s.buckets.empty() || (bucketBytes > 0 && bucketBytes + bytes > cap)) {
            s.buckets.emplace_back();
            bucketBytes = 0;
        }
        s.bucketOf[k] = s.buckets.size() - 1;
        s.offsetOf[k] = bucketBytes / sizeof(float);
        s.buckets.back().params.push_back(k);
        bucketBytes += bytes;
    }
    for (Bucket& bucket : s.buckets) {
        int64_t numel = 0;
        for (size_t k : bucket.params) numel += s.params[k].numel();
        bucket.flat = torch::zeros({numel}, s.params.front().options().requires_grad(false));
    }
    for (size_t k = 0; k < s.params.size(); ++k)
        s.hooks.push_back(s.params[k].register_hook([state = state_.get(), k](const torch::Tensor& grad) {
            state->gradientArrived(k, grad);
        }));
    prepare();
}

GradientAllReduce::~GradientAllReduce() {
    for (size_t k = 0; k < state_->params.size(); ++k) state_->params[k].remove_hook(state_->hooks[k]);
}

void GradientAllReduce::prepare() {
    State& s = *state_;
    std::fill(s.arrived.begin(), s.arrived.end(), false);
    for (Bucket& bucket : s.buckets) {
        bucket.pending = bucket.params.size();
        bucket.work.reset();
    }
    s.nextToLaunch = 0;
}

void GradientAllReduce::finish() {
    State& s = *state_;
    torch::NoGradGuard noGrad;
    // Parameters backward did not reach add zeros, so that every rank reduces every bucket.
    for (size_t k = 0; k < s.params.size(); ++k)
        if (!s.arrived[k]) {
            Bucket& bucket = s.buckets[s.bucketOf[k]];
            bucket.flat.narrow(0, int64_t(s.offsetOf[k]), s.params[k].numel()).zero_();
            s.arrived[k] = true;
            --bucket.pending;
        }
    try {
        s.launchReadyBuckets();
        for (Bucket& bucket : s.buckets)
            if (!s.group->impl().wait(bucket.work)) throw DistributedError("timed out");
    } catch (const DistributedError&) {
        throw;
    } catch (const std::exception& e) {
        throw DistributedError(rankPrefix(s.group) + "averaging the gradients failed (a rank stopped, died or lost its connection?): " +
                               conciseMessage(e));
    }
    const double ranks = double(s.group->size());
    for (Bucket& bucket : s.buckets) {
        bucket.flat.div_(ranks);
        for (size_t k : bucket.params) {
            torch::Tensor& p = s.params[k];
            const auto mean = bucket.flat.narrow(0, int64_t(s.offsetOf[k]), p.numel()).view(p.sizes());
            if (p.grad().defined()) p.mutable_grad().copy_(mean);
            else p.mutable_grad() = mean.clone();
        }
    }
}

size_t GradientAllReduce::bucketCount() const { return state_->buckets.size(); }

size_t GradientAllReduce::bytes() const {
    size_t total = 0;
    for (const auto& p : state_->params) total += size_t(p.numel()) * sizeof(float);
    return total;
}

}  // namespace ddpm
