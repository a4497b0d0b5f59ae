// ddpm eval: FID, KID and classifier confidence of a checkpoint's samples (or
// of given images) against the held-out split of a dataset.
#include <algorithm>
#include <numeric>
#include <cstdio>
#include <iostream>
#include <map>

#include "cli/ArgParser.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "data/CaptionWords.h"
#include "eval/AttributeProbe.h"
#include "eval/Evaluation.h"
#include "training/Checkpoint.h"
#include "training/Trainer.h"
#include "util/JsonText.h"
#include "util/Threads.h"

namespace ddpm::cli {

namespace {

// What was scored: a checkpoint's samples (with the sampler that drew them) or given images.
struct Subject {
    std::string samplesPath;   // non-empty for --samples
    SamplingParameters sampler;
    bool heldOutCaptions = false;   // each sample asked for by a held-out image's caption
};

// "key": [n, …], as a member of the JSON object being printed.
void printCounts(const char* key, const std::vector<int64_t>& counts) {
    std::printf("\"%s\": [", key);
    for (size_t i = 0; i < counts.size(); ++i) std::printf("%s%lld", i ? ", " : "", (long long)counts[i]);
    std::printf("], ");
}

void printJson(const EvalResult& r, const Subject& s, const std::string& dataset) {
    std::printf("{\"fid\": %.6f, \"kid\": %.8f, \"kid_std\": %.8f, \"n\": %lld, \"reference_n\": %lld, ", r.fid, r.kid,
                r.kidStd, (long long)r.count, (long long)r.referenceCount);
    std::printf("\"extractor\": %s, \"dataset\": %s, ", jsonString(r.extractor).c_str(), jsonString(dataset).c_str());
    if (r.confidentShare >= 0) std::printf("\"confident_share\": %.6f, ", r.confidentShare);
    if (r.classMatchShare >= 0) {
        std::printf("\"class_match_share\": %.6f, \"chance_match_share\": %.6f, ", r.classMatchShare, r.chanceMatchShare);
        printCounts("asked_for", r.askedFor);
        printCounts("matched_for", r.matchedFor);
    }
    if (r.askedWithSeenWords >= 0)
        std::printf("\"asked_with_seen_words\": %lld, \"seen_words_matched\": %lld, ", (long long)r.askedWithSeenWords,
                    (long long)r.seenWordsMatched);
    if (!r.classifiedAs.empty()) printCounts("classified_as", r.classifiedAs);
    if (!r.classPrompts.empty()) {
        std::printf("\"class_prompts\": [");
        for (size_t i = 0; i < r.classPrompts.size(); ++i) std::printf("%s%s", i ? ", " : "", jsonString(r.classPrompts[i]).c_str());
        std::printf("], ");
    }
    if (!s.sampler.prompt.empty()) std::printf("\"prompt\": %s, ", jsonString(s.sampler.prompt).c_str());
    if (s.heldOutCaptions) std::printf("\"held_out_captions\": true, ");
    if (!s.samplesPath.empty())
        std::printf("\"samples\": %s, ", jsonString(s.samplesPath).c_str());
    else
        std::printf("\"sampler\": %s, \"steps\": %d, \"precision\": %s, \"seed\": %llu, \"step\": %lld, ",
                    jsonString(toString(s.sampler.sampler)).c_str(), s.sampler.steps,
                    jsonString(toString(s.sampler.precision)).c_str(),
                    (unsigned long long)s.sampler.seed, (long long)r.step);
    std::printf("\"seconds\": %.3f}\n", r.seconds);
}

std::string className(const std::vector<std::string>& names, size_t k) {
    return k < names.size() ? names[k] : "class " + std::to_string(k);
}

void printText(const EvalResult& r, const Subject& s, const std::string& dataset, const std::vector<std::string>& classNames) {
    std::printf("extractor   %s\n", r.extractor.c_str());
    if (!s.samplesPath.empty()) {
        std::printf("samples     %lld images of %s\n", (long long)r.count, s.samplesPath.c_str());
    } else {
        const SamplingParameters& sc = s.sampler;
        std::printf("samples     %lld (%s%s, %s, seed %llu) of the checkpoint at step %lld\n", (long long)r.count,
                    toString(sc.sampler).c_str(),
                    sc.sampler == SamplerKind::Ddim ? (" " + std::to_string(sc.steps) + " steps").c_str() : "",
                    toString(sc.precision).c_str(), (unsigned long long)sc.seed, (long long)r.step);
    }
    std::printf("reference   %lld held-out images of %s\n", (long long)r.referenceCount, dataset.c_str());
    std::printf("FID         %.3f\n", r.fid);
    std::printf("KID         %.5f ± %.5f\n", r.kid, r.kidStd);
    if (r.confidentShare >= 0) std::printf("confident   %.1f%% of samples classified with probability > 0.9\n", 100 * r.confidentShare);
    if (r.classMatchShare >= 0) {
        std::printf("class match %.1f%% of samples classified as the class asked for (%.1f%% by chance)\n",
                    100 * r.classMatchShare, 100 * r.chanceMatchShare);
        for (size_t k = 0; k < r.askedFor.size(); ++k)
            if (r.askedFor[k] > 0)
                std::printf("  %-22s %5.1f%% of %lld\n", className(classNames, k).c_str(),
                            100.0 * double(k < r.matchedFor.size() ? r.matchedFor[k] : 0) / double(r.askedFor[k]),
                            (long long)r.askedFor[k]);
    }
    if (!r.classifiedAs.empty() && r.count > 0) {
        // The classes most samples fell in, as names where the reference has them.
        std::vector<size_t> order(r.classifiedAs.size());
        for (size_t k = 0; k < order.size(); ++k) order[k] = k;
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return r.classifiedAs[a] > r.classifiedAs[b]; });
        std::printf("classified ");
        for (size_t i = 0; i < std::min<size_t>(3, order.size()) && r.classifiedAs[order[i]] > 0; ++i)
            std::printf("%s %s %.1f%%", i ? "," : "", className(classNames, order[i]).c_str(),
                        100.0 * double(r.classifiedAs[order[i]]) / double(r.count));
        std::printf("\n");
    }
    if (s.heldOutCaptions) {
        std::printf("asked with  each held-out image's caption\n");
        const int64_t unseen = r.count - r.askedWithSeenWords;
        const int64_t matched = std::accumulate(r.matchedFor.begin(), r.matchedFor.end(), int64_t(0));
        const auto share = [](int64_t part, int64_t whole) { return whole > 0 ? 100.0 * double(part) / double(whole) : 0.0; };
        std::printf("words seen  %lld of %lld captions had only words of the training captions: %.1f%% of them matched;\n"
                    "            the %lld with a word never seen: %.1f%%\n",
                    (long long)r.askedWithSeenWords, (long long)r.count, share(r.seenWordsMatched, r.askedWithSeenWords),
                    (long long)unseen, share(matched - r.seenWordsMatched, unseen));
    }
    if (!s.sampler.prompt.empty()) std::printf("asked with  '%s'\n", s.sampler.prompt.c_str());
    if (!r.classPrompts.empty()) {
        std::printf("asked with  ");
        for (size_t i = 0; i < r.classPrompts.size(); ++i) std::printf("%s'%s'", i ? ", " : "", r.classPrompts[i].c_str());
        std::printf("\n");
    }
    std::printf("time        %s\n", formatDuration(r.seconds).c_str());
}

bool printProgress(const EvalProgress& e) {
    std::fprintf(stderr, "\r%s %lld/%lld   ", e.stage.c_str(), (long long)e.done, (long long)e.total);
    return true;
}

// The attribute probe's table: each attribute over every class, then the classes of the held-out words.
void printAttributes(const std::vector<AttributePairs>& results, const std::vector<std::string>& heldOut) {
    std::map<std::string, std::pair<int64_t, int64_t>> perAttribute;   // right way, pairs
    for (const AttributePairs& r : results) {
        perAttribute[r.attribute].first += r.rightWay;
        perAttribute[r.attribute].second += r.pairs;
    }
    std::printf("attribute   pairs going the right way (the high word's picture measures higher)\n");
    for (const auto& [attribute, counts] : perAttribute)
        std::printf("  %-10s %5.1f%% of %lld\n", attribute.c_str(), 100.0 * double(counts.first) / double(counts.second),
                    (long long)counts.second);
    for (const AttributePairs& r : results) {
        const auto has = [&](const std::string& prompt, const std::string& word) {
            const auto words = captionWords(prompt);
            return std::find(words.begin(), words.end(), word) != words.end();
        };
        const bool heldOutPair = !heldOut.empty() && std::all_of(heldOut.begin(), heldOut.end(), [&](const std::string& w) {
            return has(r.higher, w) || has(r.lower, w);
        });
        if (heldOutPair)
            std::printf("held out    '%s' against '%s': %lld of %lld pairs the right way\n", r.higher.c_str(), r.lower.c_str(),
                        (long long)r.rightWay, (long long)r.pairs);
    }
}

}  // namespace

int runEval(const Args& args) {
    ArgParser p = verbParser("eval");
    p.parse(args);
    configureThreads(p.getInt("threads", 0, 1024));
    if (p.has("CKPT") == p.has("samples")) throw UsageError("give a checkpoint or --samples IMAGES (one of them)");
    if (p.has("samples") && !p.has("data")) throw UsageError("--samples needs --data DATASET, the images to compare with");

    EvalConfig config;
    config.device = p.getChoice("device");
    config.features = p.get("features");
    config.batchSize = p.getInt("batch", 1, 100000);
    if (p.has("count")) config.count = p.getInt64("count", 2, 10000000);
    config.heldOutCaptions = p.has("held-out-captions");
    if (config.heldOutCaptions && (p.has("samples") || p.has("attributes") || p.has("prompt")))
        throw UsageError("--held-out-captions asks by the captions: leave out --samples, --attributes and --prompt");

    if (p.has("attributes")) {
        if (!p.has("CKPT")) throw UsageError("--attributes needs a checkpoint");
        const auto checkpoint = loadCheckpoint(p.get("CKPT"), selectDevice(config.device));
        const SamplingParameters sampler = samplerFromOptions(p, checkpoint.config.model);
        if (!checkpoint.config.model.text.enabled()) throw UsageError("--attributes: this model takes no prompts");
        CaptionScheme scheme;
        try {
            scheme = captionSchemeOf(checkpoint.config.data.name);
        } catch (const std::invalid_argument& e) {
            throw UsageError(std::string("--attributes: ") + e.what());
        }
        const auto results = probeAttributes(checkpoint, scheme, sampler, p.getInt("attributes", 1, 100000),
                                             [](int64_t done, int64_t total) {
                                                 std::fprintf(stderr, "\rpairs %lld/%lld   ", (long long)done, (long long)total);
                                                 return true;
                                             });
        std::fprintf(stderr, "\n");
        printAttributes(results, checkpoint.config.data.heldOutWords);
        return 0;
    }

    Subject subject;
    EvalResult result;
    std::vector<std::string> referenceClassNames;
    std::string dataName = p.get("data");
    if (p.has("samples")) {
        subject.samplesPath = p.get("samples");
        const Dataset reference = loadDatasetWithProgress(dataName, p.getInt("resolution", 1, 4096));
        const Dataset samples = loadDatasetWithProgress(subject.samplesPath, reference.height);
        referenceClassNames = reference.classNames;
        const Evaluator evaluator(reference, config, printProgress);
        result = evaluator.evaluate(samples, printProgress);
    } else {
        // The checkpoint says which dataset to compare with and whether --class is valid.
        const torch::Device device = selectDevice(config.device);
        const auto checkpoint = loadCheckpoint(p.get("CKPT"), device);
        if (config.heldOutCaptions && !checkpoint.config.model.text.enabled())
            throw UsageError("--held-out-captions needs a text model: " + p.get("CKPT") + " takes no prompts");
        subject.sampler = config.sampler = samplerFromOptions(p, checkpoint.config.model);
        subject.heldOutCaptions = config.heldOutCaptions;
        if (!p.has("data")) dataName = checkpoint.config.data.name;
        const Dataset reference = loadDatasetWithProgress(dataName, checkpoint.config.data.space.pictureSpace().height);
        referenceClassNames = reference.classNames;
        const Evaluator evaluator(reference, config, printProgress);
        result = evaluator.evaluate(checkpoint, printProgress);
    }
    std::fprintf(stderr, "\n");
    if (p.has("json")) printJson(result, subject, dataName);
    else printText(result, subject, dataName, referenceClassNames);
    return 0;
}

}  // namespace ddpm::cli
