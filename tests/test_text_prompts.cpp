// Text prompts: the built-in encoder's word tokenizer, its vocabulary learned from
// captions, unknown and truncated words reported, and the vocabulary's text form.
#include <QtTest>

#include <torch/torch.h>

#include "conditioning/TextTransformer.h"
#include "conditioning/WordTokenizer.h"
#include "random/Generators.h"
#include "random/WeightInit.h"

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
            QVERIFY2(std::string(e.what()).find("vocabulary line 2") != std::string::npos, e.what());
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
};

QTEST_GUILESS_MAIN(TestTextPrompts)
#include "test_text_prompts.moc"
