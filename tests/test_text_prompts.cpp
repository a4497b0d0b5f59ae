// Text prompts: the built-in encoder's word tokenizer, its vocabulary learned from
// captions, unknown and truncated words reported, and the vocabulary's text form;
// cross-attention's shapes and masking, the null prompt and its dropout, a text
// model trained and sampled end to end, prompts through PNG text chunks.
#include <QtTest>

#include <torch/torch.h>

#include "conditioning/PromptEncoding.h"
#include "conditioning/TextTransformer.h"
#include "conditioning/WordTokenizer.h"
#include "image/ImageGrid.h"
#include "image/PngChunks.h"
#include "random/Generators.h"
#include "random/WeightInit.h"
#include "sampling/Guidance.h"
#include "sampling/Sampler.h"
#include "support/TestDatasets.h"
#include "support/TestModels.h"
#include "training/Trainer.h"

using namespace ddpm;
using Ids = std::vector<int64_t>;

class TestTextPrompts : public QObject {
    Q_OBJECT

private slots:
    void vocabularyLearnedFromCaptions() {
        const WordTokenizer t = WordTokenizer::learn({"a thick seven", "a thin seven", "A two.", "caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac"});
        // Most frequent first, ties alphabetical (UTF-8 bytes sort after ASCII).
        QCOMPARE(t.words(), (std::vector<std::string>{"a", "seven", "caf\xc3\xa9", "thick", "thin", "two",
                                                      "\xe6\x9d\xb1\xe4\xba\xac"}));
        QCOMPARE(t.vocabularySize(), size_t(11));
        QVERIFY(t.knows("thick") && !t.knows("Thick") && !t.knows("blue"));
        QCOMPARE(WordTokenizer::learn({"a a b", "c"}, 1).words(), std::vector<std::string>{"a"});
        QCOMPARE(WordTokenizer::learn({"a a b", "c"}, 10, 2).words(), std::vector<std::string>{"a"});
    }

    void promptsBecomePaddedTokensWithTheirMask() {
        const WordTokenizer t = WordTokenizer::learn({"a thick seven", "a thin seven"});   // a=4 seven=5 thick=6 thin=7
        const TokenizedPrompt p = t.encode("A thick, BLUE seven", 8);
        QCOMPARE(p.ids, (Ids{2, 4, 6, 1, 5, 3, 0, 0}));
        QCOMPARE(p.mask, (std::vector<uint8_t>{1, 1, 1, 1, 1, 1, 0, 0}));
        QCOMPARE(p.unknown, std::vector<std::string>{"blue"});
        QVERIFY(!p.truncated());

        const TokenizedPrompt empty = t.encode("  ", 4);   // the null prompt: start and end only
        QCOMPARE(empty.ids, (Ids{2, 3, 0, 0}));
        QCOMPARE(empty.mask, (std::vector<uint8_t>{1, 1, 0, 0}));

        const TokenizedPrompt longer = t.encode("a thin thin seven", 4);
        QCOMPARE(longer.ids, (Ids{2, 4, 7, 3}));
        QVERIFY(longer.truncated());
        QCOMPARE(longer.truncatedAt, size_t(2));   // "thin" (the second) and "seven" did not fit

        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, t.encode("bad \xff bytes", 8));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, t.encode("a", 2));
    }

    void vocabularyTravelsAsText() {
        const WordTokenizer t = WordTokenizer::learn({"a thick seven", "an ankle boot", "caf\xc3\xa9"});
        const WordTokenizer back = WordTokenizer::fromText(t.toText());
        QCOMPARE(back.words(), t.words());
        QCOMPARE(back.encode("an ankle seven", 6).ids, t.encode("an ankle seven", 6).ids);
        try {
            WordTokenizer::fromText("a\nTwo words\n");
            QFAIL("no error");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(std::string(e.what()).find("vocabulary word 2") != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, WordTokenizer::fromText("a\nb\na\n"));
    }

    // The built-in encoder: (B,L,width) features, zero at padding; the ids that pad a
    // prompt change nothing; other words, other features; gradients reach the words used.
    void textTransformerMasksPadding() {
        TextTransformerConfig config;
        config.vocabulary = 20;
        config.context = 8;
        config.width = 32;
        config.heads = 4;
        TextTransformer encoder(config);
        at::Generator init = makeGenerator(0, RandomStream::WeightInit);
        initializeWeights(*encoder, init);   // as a run does: from its own stream
        const WordTokenizer words = WordTokenizer::learn({"a thick seven", "a thin two"});
        const auto batch = [&](const std::vector<std::string>& prompts) {
            std::vector<torch::Tensor> ids, masks;
            for (const auto& prompt : prompts) {
                const TokenizedPrompt p = words.encode(prompt, 8);
                ids.push_back(torch::tensor(p.ids, torch::kInt64));
                masks.push_back(torch::tensor(std::vector<int64_t>(p.mask.begin(), p.mask.end()), torch::kInt64).to(torch::kBool));
            }
            return std::make_pair(torch::stack(ids), torch::stack(masks));
        };
        const auto [ids, mask] = batch({"a thick seven", "a two"});
        const auto out = encoder->forward(ids, mask);
        QCOMPARE(out.sizes(), (c10::IntArrayRef{2, 8, 32}));
        QVERIFY(out[1].slice(0, 4).abs().max().item<double>() == 0);   // "a two": 4 real tokens, then padding
        QVERIFY(out[1].slice(0, 0, 4).abs().max().item<double>() > 0);

        auto otherPadding = ids.clone();
        otherPadding.index_put_({mask.logical_not()}, 17);
        QVERIFY(torch::equal(encoder->forward(otherPadding, mask), out));
        const auto [thin, thinMask] = batch({"a thin seven", "a two"});
        QVERIFY(!torch::allclose(encoder->forward(thin, thinMask)[0], out[0]));

        out.sum().backward();
        const auto grad = encoder->named_parameters()["tokens.weight"].grad();
        QVERIFY(grad[words.encode("thick", 3).ids[1]].abs().sum().item<double>() > 0);
        QCOMPARE(grad[19].abs().sum().item<double>(), 0.0);   // an id no prompt used

        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, encoder->forward(torch::zeros({1, 9}, torch::kInt64), torch::ones({1, 9})));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, encoder->forward(torch::zeros({1, 4}, torch::kInt64), torch::zeros({1, 4})));
        config.heads = 5;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, TextTransformer{config});
    }

    // A small text U-Net: every cross-attention map has one row per position of its level,
    // weights that sum to 1 over the real tokens and are 0 at padding; the ids that pad a
    // prompt change nothing; another word changes the output.
    void crossAttentionReadsOnlyThePromptsRealTokens() {
        const ModelConfig config = smallTextModel();
        const auto model = initializedModel(config);
        torch::NoGradGuard noGrad;
        const EncodedPrompts prompts = encodePrompts(config, {"a thick seven", "a two"}, torch::kCPU);
        QVERIFY(prompts.notes.empty());
        const auto x = torch::randn({2, 1, 16, 16}, makeGenerator(2));
        const auto t = torch::tensor({10, 500}, torch::kInt64);
        model->setCrossAttentionRecording(true);
        const auto out = model->forward(x, t, prompts.condition);
        QCOMPARE(out.sizes(), x.sizes());
        const auto maps = model->crossAttentionMaps();
        QCOMPARE(int(maps.size()), 3);   // level 1 on the way down and up, and the middle
        for (const CrossAttentionMap& map : maps) {
            QCOMPARE(map.height, int64_t(8));   // level 1 of a 16×16 input
            QCOMPARE(map.weights.sizes(), (c10::IntArrayRef{2, 64, 8}));
            QVERIFY(torch::allclose(map.weights.sum(-1), torch::ones({2, 64}), 1e-5, 1e-5));
            QCOMPARE(map.weights[1].slice(1, 4).abs().max().item<double>(), 0.0);   // "a two": start a two end
        }
        model->setCrossAttentionRecording(false);

        Condition otherPadding = prompts.condition;
        otherPadding.tokens = otherPadding.tokens.clone();
        otherPadding.tokens.index_put_({otherPadding.mask.logical_not()}, WordTokenizer::kFirstWord);
        QVERIFY(torch::equal(model->forward(x, t, otherPadding), out));
        const auto thin = encodePrompts(config, {"a thin seven", "a two"}, torch::kCPU).condition;
        QVERIFY(!torch::allclose(model->forward(x, t, thin)[0], out[0]));
        QVERIFY(torch::allclose(model->forward(x, t, thin)[1], out[1], 1e-6, 1e-6));   // the other item: untouched
    }

    // The empty prompt is the null condition: what an empty condition means, what guidance
    // subtracts, what dropout trains with.
    void theEmptyPromptIsTheNullCondition() {
        const ModelConfig config = smallTextModel();
        const auto model = initializedModel(config);
        torch::NoGradGuard noGrad;
        const Conditioning conditioning = model->conditioning();
        QVERIFY(conditioning.takesText() && conditioning.conditional());
        const Condition null = conditioning.null(3, torch::kCPU);
        QVERIFY(torch::equal(null.tokens[2], torch::tensor({2, 3, 0, 0, 0, 0, 0, 0}, torch::kInt64)));
        const EncodedPrompts empty = encodePrompts(config, {" "}, torch::kCPU);
        QVERIFY(empty.condition.empty());
        QCOMPARE(empty.notes, std::vector<std::string>{"an empty prompt: sampling unconditionally"});

        const auto x = torch::randn({3, 1, 16, 16}, makeGenerator(2));
        const auto t = torch::tensor({1, 2, 3}, torch::kInt64);
        QVERIFY(torch::equal(model->forward(x, t, Condition{}), model->forward(x, t, null)));

        const Condition prompts = encodePrompts(config, {"a thick seven"}, torch::kCPU).condition.expand(3);
        at::Generator dropout = makeGenerator(4);
        const Condition all = conditioning.dropped(prompts, 1.0, dropout);
        QVERIFY(torch::equal(all.tokens, null.tokens) && torch::equal(all.mask, null.mask));
        QVERIFY(torch::equal(conditioning.dropped(prompts, 0.0, dropout).tokens, prompts.tokens));
        int64_t droppedCount = 0;
        for (int i = 0; i < 200; ++i)
            droppedCount += conditioning.dropped(prompts, 0.3, dropout).tokens.select(1, 1).eq(WordTokenizer::kEnd).sum().item<int64_t>();
        QVERIFY2(droppedCount > 120 && droppedCount < 240, std::to_string(droppedCount).c_str());   // ~180 of 600

        // Guidance: w = 0 is the null prediction, a negative prompt takes its place.
        QVERIFY(torch::allclose(guidedOutput(*model, x, t, prompts, 0.0), model->forward(x, t, null)));
        const Condition negative = encodePrompts(config, {"a two"}, torch::kCPU).condition.expand(3);
        QVERIFY(torch::allclose(guidedOutput(*model, x, t, prompts, 0.0, negative), model->forward(x, t, negative)));
        const auto w3 = guidedOutput(*model, x, t, prompts, 3.0, negative);
        const auto expected = model->forward(x, t, negative) + 3.0 * (model->forward(x, t, prompts) - model->forward(x, t, negative));
        QVERIFY(torch::allclose(w3, expected, 1e-4, 1e-4));
    }

    void promptNotesAndMisuse() {
        const ModelConfig config = smallTextModel();
        const EncodedPrompts notes = encodePrompts(config, {"a blue seven", "a thick thick thick thick thick seven"}, torch::kCPU);
        QCOMPARE(notes.notes.size(), size_t(2));
        QVERIFY(notes.notes[0].find("never saw the word blue") != std::string::npos);
        QVERIFY2(notes.notes[1].find("cut before its word 7 ('seven')") != std::string::npos, notes.notes[1].c_str());
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, encodePrompts(config, {"a \xff"}, torch::kCPU));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, encodePrompts(config, {"a two", ""}, torch::kCPU));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, encodePrompts(ModelConfig::preset("tiny", 1, 16), {"a two"}, torch::kCPU));

        const auto textModel = initializedModel(config);
        const auto classModel = initializedModel(ModelConfig::preset("tiny", 1, 16, 10));
        SamplingParameters p;
        p.classLabel = 3;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, samplingCondition(p, *textModel, torch::kCPU));
        p.classLabel = -1;
        p.prompt = "a two";
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, samplingCondition(p, *classModel, torch::kCPU));
        QCOMPARE(samplingCondition(p, *textModel, torch::kCPU).tokens.size(0), p.count);
    }

    // A text run trains, saves its vocabulary in its configuration, resumes and samples a prompt.
    void aTextModelTrainsAndSamplesEndToEnd() {
        const Dataset d = ddpm::test::captionedSquares();
        RunConfig run;
        run.model = ModelConfig::preset("tiny", 1, 16);
        run.model.baseChannels = 8;
        run.model.groups = 4;
        run.model.channelMults = {1, 2};
        run.model.attentionLevels = {};
        run.model.useBuiltinText(captionVocabulary(d));
        run.model.text.width = 16;
        run.model.text.context = 6;
        run.model.text.layers = 1;
        run.data = dataInfoOf(d, run.model);
        run.train.batchSize = 8;
        QCOMPARE(run.model.text.words, (std::vector<std::string>{"a", "square", "bright", "dim"}));
        QCOMPARE(run.model.text.crossAttentionLevels, std::vector<int>{1});

        const RunConfig back = RunConfig::deserialize(run.serialize());
        QCOMPARE(back.model.text.words, run.model.text.words);
        QCOMPARE(back.model.text.width, 16);
        QCOMPARE(back.serialize(), run.serialize());
        QVERIFY(run.serialize().find("format = ddpm-studio-run 3") != std::string::npos);

        Trainer trainer(run, d, torch::kCPU);
        for (int i = 0; i < 5; ++i) QVERIFY(std::isfinite(trainer.step().loss));
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/text.ckpt").toStdString();
        trainer.save(path);
        Trainer resumed(loadCheckpoint(path, torch::kCPU), d, torch::kCPU);
        const double expected = trainer.step().loss;
        QCOMPARE(resumed.step().loss, expected);

        const auto samples = ddpm::test::brightSquareSamples(trainer);
        QCOMPARE(samples.sizes(), (c10::IntArrayRef{2, 1, 16, 16}));
        QVERIFY(torch::isfinite(samples).all().item<bool>());
    }

    void promptsGoThroughPngTextChunks() {
        SamplingParameters p;
        p.prompt = "a thick seven \xe2\x80\x94 caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x8d\x8e";
        p.negativePrompt = "thin";
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/grid.png").toStdString();
        writePng(path, makeGrid(torch::zeros({1, 1, 4, 4}), 1), toPngText(p, 1000));
        const auto text = readPngText(path);
        const SamplingParameters back = samplingParametersFromPngText(text);
        QCOMPARE(back.prompt, p.prompt);
        QCOMPARE(back.negativePrompt, p.negativePrompt);
        // Beyond ASCII, in an iTXt chunk (UTF-8); ASCII stays tEXt.
        QFile file(QString::fromStdString(path));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        std::map<std::string, std::string> types;
        for (const PngChunk& chunk : readPngChunks(std::vector<uint8_t>(bytes.begin(), bytes.end()), path, true))
            if (chunk.type == "tEXt" || chunk.type == "iTXt")
                types[std::string(chunk.body.begin(), std::find(chunk.body.begin(), chunk.body.end(), 0))] = chunk.type;
        QCOMPARE(types["ddpm:prompt"], std::string("iTXt"));
        QCOMPARE(types["ddpm:negative_prompt"], std::string("tEXt"));

        auto broken = text;
        broken["ddpm:prompt"] = "bad \xff";
        try {
            samplingParametersFromPngText(broken);
            QFAIL("no error");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(std::string(e.what()).find("ddpm:prompt") != std::string::npos, e.what());
        }
    }

private:
    // A denoiser of `config` with its weights drawn from a run's weight stream, in eval mode.
    static std::shared_ptr<Denoiser> initializedModel(const ModelConfig& config) {
        at::Generator init = makeGenerator(1, RandomStream::WeightInit);
        auto model = makeDenoiser(config, init);
        model->eval();
        return model;
    }

    // 16×16 grey, two levels, the built-in encoder over the words of a few digit captions.
    static ModelConfig smallTextModel() {
        ModelConfig c = ModelConfig::preset("tiny", 1, 16);
        c.baseChannels = 8;
        c.groups = 4;
        c.channelMults = {1, 2};
        c.attentionLevels = {};
        c.useBuiltinText(WordTokenizer::learn({"a thick seven", "a thin two", "a seven"}).words());
        c.text.context = 8;
        c.text.width = 16;
        c.text.layers = 1;
        return c;
    }
};

QTEST_GUILESS_MAIN(TestTextPrompts)
#include "test_text_prompts.moc"
