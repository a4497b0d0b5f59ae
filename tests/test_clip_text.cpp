// The frozen CLIP text encoder: Unicode classes, the tokenizer's split and byte-pair
// encoding, a folder's errors, and a CLIP text run that trains on cached caption
// features, resumes and samples. tests/clip_reference.py checks the numbers against
// an independent implementation.
#include <QtTest>

#include <filesystem>
#include <fstream>

#include <torch/torch.h>

#include "conditioning/ClipTextEncoder.h"
#include "conditioning/PromptEncoding.h"
#include "util/UnicodeText.h"
#include "export/Safetensors.h"
#include "sampling/Sampler.h"
#include "support/TestDatasets.h"
#include "support/TestModels.h"
#include "support/TinyClipFolder.h"
#include "training/Trainer.h"

using namespace ddpm;
namespace fs = std::filesystem;
using Words = std::vector<std::string>;

namespace {

std::string utf8(const char* text) { return text; }

// The message of the std::runtime_error that `what` throws.
template <typename F>
QString errorOf(F what) {
    try {
        what();
    } catch (const std::runtime_error& e) {
        return QString::fromStdString(e.what());
    }
    return "(no error)";
}

}  // namespace

class TestClipText : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string folder(const char* name) { return ddpm::test::writeTinyClipFolder((dir_.path() + "/" + name).toStdString()); }

private slots:
    void unicodeClassesAndLowerCase() {
        QVERIFY(isLetter(U'é') && isLetter(U'東') && isLetter(U'ㅎ') && !isLetter(U'🍎') && !isLetter(U'3'));
        QVERIFY(isNumber(U'٣') && isNumber(U'½') && isNumber(U'Ⅷ') && !isNumber(U'a'));
        QVERIFY(isWhitespace(0x3000) && isWhitespace(0xA0) && !isWhitespace(0x1F) && !isWhitespace(0x200B));
        QVERIFY(lowerCase(U"ÀΣǅ東") == U"àσǆ東");
        QVERIFY(lowerCase(U"İ") == U"i\u0307");   // Python's full lower case
        QVERIFY(lowerCase(U"ΣΊΣΥΦΟΣ Σ ΑΣ.") == U"σίσυφος σ ας.");   // a word's final sigma
        QVERIFY(decodeUtf8(utf8("caf\xc3\xa9 \xf0\x9f\x8d\x8e")) == U"café 🍎");
        QCOMPARE(encodeUtf8(U"東京 🍎"), utf8("\xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x8d\x8e"));
        for (const char* bad : {"\xc0\xaf", "\xed\xa0\x80", "\xe6\x9d", "\xf4\x90\x80\x80", "\x80"})
            QVERIFY_THROWS_EXCEPTION(std::invalid_argument, decodeUtf8(bad));
    }

    // CLIP's pattern: contractions, letter runs in any script, single digits, runs of anything else.
    void tokenizerSplitsLikeClipsPattern() {
        const ClipTokenizer tokenizer = ClipTokenizer::fromFolder(folder("split"));
        QCOMPARE(tokenizer.words(utf8("Hello,  World!! it's 2024 caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac\xe3\x82\xbf\xe3\x83\xaf\xe3\x83\xbc "
                                    "\xf0\x9f\x8d\x8e\xf0\x9f\x8d\x8f")),
                 (Words{"hello", ",", "world", "!!", "it", "'s", "2", "0", "2", "4", utf8("caf\xc3\xa9"),
                        utf8("\xe6\x9d\xb1\xe4\xba\xac\xe3\x82\xbf\xe3\x83\xaf\xe3\x83\xbc"), utf8("\xf0\x9f\x8d\x8e\xf0\x9f\x8d\x8f")}));
        QCOMPARE(tokenizer.words("x'll a'b DON'T"), (Words{"x", "'ll", "a", "'", "b", "don", "'t"}));
        QCOMPARE(tokenizer.words("<|startoftext|>hi!<|endoftext|>"), (Words{"<|startoftext|>", "hi", "!<|", "endoftext", "|>"}));
        QCOMPARE(tokenizer.words(utf8("\xc4\xb0")), (Words{"i", utf8("\xcc\x87")}));   // İ lower-cases to i and a combining dot
        QVERIFY(tokenizer.words(" \t\xe3\x80\x80 ").empty());
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, tokenizer.encode("a \xff", 8));
    }

    void bytePairEncodingAndContext() {
        const ClipTokenizer tokenizer = ClipTokenizer::fromFolder(folder("bpe"));
        // The tiny vocabulary: 256 bytes, the same ending a word, then merges; "seven" is one token.
        QCOMPARE(tokenizer.wordIds("seven").size(), size_t(1));
        QCOMPARE(tokenizer.wordIds("zq"), (std::vector<int64_t>{'z', 256 + 'q'}));
        const TokenizedPrompt t = tokenizer.encode("a red apple", 8);
        QCOMPARE(t.ids.size(), size_t(8));
        QCOMPARE(t.ids[0], tokenizer.startId());
        QCOMPARE(t.ids[4], tokenizer.endId());
        QCOMPARE(t.ids[5], tokenizer.padId());
        QCOMPARE(t.mask, (std::vector<uint8_t>{1, 1, 1, 1, 1, 0, 0, 0}));
        QVERIFY(!t.truncated());
        const TokenizedPrompt cut = tokenizer.encode("a red apple", 4);
        QCOMPARE(cut.truncatedAt, size_t(2));
        QCOMPARE(cut.cutWord, std::string("apple"));
        QCOMPARE(cut.ids[3], tokenizer.endId());
    }

    // Each broken part of a folder is named: the file, and the tensor or field.
    void folderErrorsNameTheFileAndWhat() {
        const auto openError = [](const std::string& f) { return errorOf([&] { ClipTextEncoder::load(f); }); };
        QVERIFY2(openError((dir_.path() + "/none").toStdString()).contains("not a folder"), "missing folder");

        const std::string missing = folder("missing-tensor");
        SafetensorsFile weights = readSafetensors(missing + "/model.safetensors");
        weights.tensors.erase(std::remove_if(weights.tensors.begin(), weights.tensors.end(),
                                             [](const NamedTensor& t) { return t.name == "text_model.final_layer_norm.bias"; }),
                              weights.tensors.end());
        writeSafetensors(missing + "/model.safetensors", weights.tensors, {});
        QString e = openError(missing);
        QVERIFY2(e.contains("model.safetensors: the tensor text_model.final_layer_norm.bias is missing"), qPrintable(e));

        const auto rewrite = [](const std::string& path, const std::string& from, const std::string& to) {
            std::ifstream in(path);
            std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            text.replace(text.find(from), from.size(), to);
            std::ofstream(path) << text;
        };
        const std::string wide = folder("wide");
        rewrite(wide + "/config.json", "\"hidden_size\": 32", "\"hidden_size\": 64");
        e = openError(wide);
        QVERIFY2(e.contains("the tensor text_model.embeddings.token_embedding.weight is [") && e.contains("config.json makes it"),
                 qPrintable(e));
        const std::string relu = folder("relu");
        rewrite(relu + "/config.json", "quick_gelu", "relu");
        e = openError(relu);
        QVERIFY2(e.contains("config.json: hidden_act must be quick_gelu or gelu"), qPrintable(e));
        const std::string merges = folder("merges");
        rewrite(merges + "/merges.txt", "#version: 0.2\n", "#version: 0.2\nthree tokens here\n");
        e = openError(merges);
        QVERIFY2(e.contains("merges.txt: line 2 is not two tokens"), qPrintable(e));
        const std::string vocab = folder("vocab");
        fs::remove(vocab + "/vocab.json");
        e = openError(vocab);
        QVERIFY2(e.contains("vocab.json: no such file"), qPrintable(e));
        const std::string pickle = folder("pickle");
        fs::rename(pickle + "/model.safetensors", pickle + "/pytorch_model.bin");
        e = openError(pickle);
        QVERIFY2(e.contains("model.safetensors: no such file (only safetensors"), qPrintable(e));
    }

    // A CLIP run: the captions encoded once each, the empty prompt's features as the null
    // condition (saved with the weights), exact resume, sampling with prompts.
    void aClipModelTrainsOnCachedCaptionsAndSamples() {
        const std::string clip = folder("run");
        const Dataset d = ddpm::test::captionedSquares();
        RunConfig run;
        run.model = ModelConfig::preset("tiny", 1, 16);
        run.model.baseChannels = 8;
        run.model.groups = 4;
        run.model.channelMults = {1, 2};
        run.model.attentionLevels = {};
        run.model.useClipText(clip, 32, 24);
        run.data = dataInfoOf(d, run.model);
        run.train.batchSize = 8;
        const RunConfig back = RunConfig::deserialize(run.serialize());
        QCOMPARE(back.model.text.clipFolder(), clip);
        QCOMPARE(back.serialize(), run.serialize());

        // Two distinct captions, each encoded once; the rows hold the encoder's features up to the end token.
        const CaptionConditions captions = captionConditions(run.model, d, 0, d.count);
        QCOMPARE(captions.distinct.features.size(0), int64_t(2));
        QCOMPARE(captions.distinct.features.size(1), int64_t(5));   // start, a, bright, square, end
        QCOMPARE(captions.items.size(0), d.count);
        const Condition batch = captions.forItems(torch::tensor({1, 0}, torch::kInt64));
        const EncodedPrompts direct = encodePrompts(run.model, {d.captions[1], d.captions[0]}, torch::kCPU);
        QVERIFY(torch::allclose(batch.features, direct.condition.features.slice(1, 0, 5), 1e-5, 1e-5));
        QVERIFY(torch::equal(batch.mask, direct.condition.mask.slice(1, 0, 5)));

        Trainer trainer(run, d, torch::kCPU);
        const ClipEncoding empty = ClipTextEncoder::open(clip)->encode({""}, 24);
        const Condition null = trainer.emaModel().conditioning().null(1, torch::kCPU);
        QVERIFY(torch::allclose(null.features.slice(1, 0, 2), empty.hidden.slice(1, 0, 2), 1e-5, 1e-5));
        QVERIFY(torch::equal(null.features.slice(1, 2), torch::zeros({1, 22, 32})));
        for (int i = 0; i < 4; ++i) QVERIFY(std::isfinite(trainer.step().loss));
        QTemporaryDir runDir;
        const std::string path = (runDir.path() + "/clip.ckpt").toStdString();
        trainer.save(path);
        const CheckpointContents loaded = loadCheckpoint(path, torch::kCPU);
        QVERIFY(torch::equal(loaded.ema->conditioning().null(1, torch::kCPU).features, null.features));
        Trainer resumed(loaded, d, torch::kCPU);
        const double expected = trainer.step().loss;
        QCOMPARE(resumed.step().loss, expected);

        const auto samples = ddpm::test::brightSquareSamples(trainer);
        QCOMPARE(samples.sizes(), (c10::IntArrayRef{2, 1, 16, 16}));
        QVERIFY(torch::isfinite(samples).all().item<bool>());
        const EncodedPrompts long_ = encodePrompts(run.model, {"a red apple a red apple a red apple a red apple a red apple "
                                                               "a red apple a red apple a red apple"}, torch::kCPU);
        QCOMPARE(long_.notes.size(), size_t(1));
        QVERIFY2(long_.notes[0].find("is cut in its word 23 ('red'): the model reads 22 tokens") != std::string::npos,
                 long_.notes[0].c_str());
    }
};

QTEST_GUILESS_MAIN(TestClipText)
#include "test_clip_text.moc"
