// The safetensors writer, read back by the tests' own independent reader; the
// program's own reader against hostile files; ddpm import against ddpm export.
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <filesystem>
#include <torch/torch.h>

#include "data/ToyDatasets.h"
#include "export/CheckpointExport.h"
#include "export/CheckpointImport.h"
#include "export/Safetensors.h"
#include "support/SafetensorsReader.h"
#include "support/TestFiles.h"
#include "training/Checkpoint.h"
#include "training/Trainer.h"
#include "util/JsonValue.h"

using ddpm::NamedTensor;
using ddpm::test::readSafetensors;

class TestExport : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    std::string path(const char* name) const { return tmp_.filePath(name).toStdString(); }

private slots:
    void everyDtypeRoundTripsInOrder() {
        torch::manual_seed(3);
        const std::vector<NamedTensor> tensors = {
            {"conv.weight", torch::randn({4, 3}).t()},   // non-contiguous: written row-major as (3,4)
            {"conv.bias", torch::randn({3}, torch::kDouble)},
            {"half", torch::randn({2, 2}).to(torch::kBFloat16)},
            {"steps", torch::arange(5, torch::kLong) * int64_t(1000000007)},
            {"pixels", torch::arange(6, torch::kByte).view({2, 3})},
            {"mask", torch::tensor({true, false, true})},
            {"scalar", torch::tensor(2.5f)},
            {"empty", torch::zeros({0, 7})},
        };
        const std::vector<std::pair<std::string, std::string>> metadata = {
            {"note", "quote \" backslash \\ newline \n tab \t control \x01 end"},
            {"objective", "\xce\xb5-prediction"},   // UTF-8 passes through
            {"run.model.channel_mults", "1,2,2"}};
        ddpm::writeSafetensors(path("all.safetensors"), tensors, metadata);

        const auto file = readSafetensors(path("all.safetensors"));
        QCOMPARE((8 + file.headerLength) % 8, uint64_t(0));   // data starts aligned
        QCOMPARE(file.order.size(), tensors.size());
        const std::vector<std::string> dtypes = {"F32", "F64", "BF16", "I64", "U8", "BOOL", "F32", "F32"};
        for (size_t i = 0; i < tensors.size(); ++i) {
            const auto& [name, tensor] = tensors[i];
            QCOMPARE(file.order[i], name);   // offsets follow the given order
            const auto& entry = file.tensors.at(name);
            QCOMPARE(entry.dtype, dtypes[i]);
            QCOMPARE(entry.shape, tensor.sizes().vec());
            const auto contiguous = tensor.contiguous();
            QCOMPARE(entry.end - entry.begin, uint64_t(contiguous.numel() * contiguous.element_size()));
            QVERIFY(std::memcmp(file.data.data() + entry.begin, contiguous.data_ptr(), entry.end - entry.begin) == 0);
        }
        std::map<std::string, std::string> expected(metadata.begin(), metadata.end());
        QCOMPARE(file.metadata, expected);
    }

    void floatsAreLittleEndianIeee() {
        ddpm::writeSafetensors(path("f.safetensors"), {{"x", torch::tensor({1.5f, -2.0f, 3.25f})}}, {});
        const auto file = readSafetensors(path("f.safetensors"));
        QVERIFY(file.metadata.empty());
        const std::vector<uint8_t> onePointFive = {0x00, 0x00, 0xC0, 0x3F};
        QCOMPARE(std::vector<uint8_t>(file.data.begin(), file.data.begin() + 4), onePointFive);
        QCOMPARE(ddpm::test::floatValues(file, "x"), (std::vector<float>{1.5f, -2.0f, 3.25f}));
    }

    void badInputIsRefusedAndLeavesTheTargetAlone() {
        const std::string target = path("kept.safetensors");
        ddpm::writeSafetensors(target, {{"a", torch::ones({2})}}, {});
        const auto before = ddpm::test::readBytes(target);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 ddpm::writeSafetensors(target, {{"a", torch::ones({1})}, {"a", torch::ones({1})}}, {}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 ddpm::writeSafetensors(target, {{"__metadata__", torch::ones({1})}}, {}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 ddpm::writeSafetensors(target, {{"z", torch::ones({1}, torch::kComplexFloat)}}, {}));
        QCOMPARE(ddpm::test::readBytes(target), before);
        try {
            ddpm::writeSafetensors(path("no-such-folder/x.safetensors"), {{"a", torch::ones({1})}}, {});
            QFAIL("wrote into a missing folder");
        } catch (const std::runtime_error& e) {
            QVERIFY2(std::string(e.what()).find("no-such-folder/x.safetensors: cannot write") != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 ddpm::writeSafetensors(tmp_.path().toStdString(), {{"a", torch::ones({1})}}, {}));
        // Nothing but the finished files is left behind (no temporaries).
        int files = 0;
        for (const auto& entry : std::filesystem::directory_iterator(tmp_.path().toStdString())) {
            QVERIFY2(entry.path().filename().string()[0] != '.', entry.path().c_str());
            ++files;
        }
        QVERIFY(files >= 1);
    }

    // The reader is strict, so the checks above mean something.
    void readerRejectsDamagedFiles() {
        const std::string good = path("good.safetensors");
        ddpm::writeSafetensors(good, {{"a", torch::ones({4})}, {"b", torch::ones({2})}}, {});
        auto bytes = ddpm::test::readBytes(good);
        auto truncated = bytes;
        truncated.resize(bytes.size() - 4);
        ddpm::test::writeBytes(path("short.safetensors"), truncated);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, readSafetensors(path("short.safetensors")));
        auto longer = bytes;
        longer.push_back(0);
        ddpm::test::writeBytes(path("long.safetensors"), longer);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, readSafetensors(path("long.safetensors")));
        auto badLength = bytes;
        badLength[7] = 1;   // header length far beyond the file
        ddpm::test::writeBytes(path("length.safetensors"), badLength);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, readSafetensors(path("length.safetensors")));
    }

    void programReaderReadsWhatTheWriterWrote() {
        const std::vector<NamedTensor> tensors = {{"w", torch::randn({3, 4})},
                                                  {"steps", torch::arange(5, torch::kLong)},
                                                  {"half", torch::randn({2}).to(torch::kBFloat16)},
                                                  {"mask", torch::tensor({true, false})},
                                                  {"empty", torch::zeros({0, 2})}};
        ddpm::writeSafetensors(path("mine.safetensors"), tensors, {{"run.x", "1"}, {"note", "\xce\xb5"}});
        const auto file = ddpm::readSafetensors(path("mine.safetensors"));
        QCOMPARE(file.tensors.size(), tensors.size());
        for (size_t i = 0; i < tensors.size(); ++i) {
            QCOMPARE(file.tensors[i].name, tensors[i].name);
            QVERIFY(file.tensors[i].tensor.scalar_type() == tensors[i].tensor.scalar_type());
            QVERIFY(torch::equal(file.tensors[i].tensor, tensors[i].tensor));
        }
        QCOMPARE(file.metadata.at("note"), std::string("\xce\xb5"));
    }

    void programReaderRefusesHostileFiles() {
        // A header made by hand, then `data` bytes.
        auto write = [&](const char* name, const std::string& header, size_t data) {
            std::string bytes(8, '\0');
            for (int i = 0; i < 8; ++i) bytes[size_t(i)] = char(uint64_t(header.size()) >> (8 * i));
            bytes += header;
            bytes.append(data, char(2));
            ddpm::test::writeBytes(path(name), std::vector<uint8_t>(bytes.begin(), bytes.end()));
            return path(name);
        };
        auto expectRefused = [](const std::string& file, const char* words) {
            try {
                ddpm::readSafetensors(file);
                QFAIL(("accepted: " + file).c_str());
            } catch (const std::runtime_error& e) {
                QVERIFY2(QString(e.what()).contains(words) && QString(e.what()).contains(QString::fromStdString(file)),
                         e.what());
            }
        };
        expectRefused(write("huge-shape.safetensors",
                            R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", 8),
                      "more bytes than the file holds");
        expectRefused(write("outside.safetensors", R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})", 8),
                      "outside the 8 data bytes");
        expectRefused(write("mismatch.safetensors", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}})", 8),
                      "needs 4");
        expectRefused(write("overlap.safetensors",
                            R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}})",
                            8),
                      "overlap");
        expectRefused(write("dtype.safetensors", R"({"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}})", 1),
                      "unknown dtype 'Q4'");
        expectRefused(write("bool.safetensors", R"({"a":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}})", 2),
                      "BOOL value");
        expectRefused(write("negative.safetensors", R"({"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}})", 1),
                      "whole number");
        expectRefused(write("deep.safetensors", std::string(10000, '[') + std::string(10000, ']'), 0), "nesting");
        expectRefused(write("text.safetensors", "not json", 0), "not a JSON object");
    }

    void jsonReaderIsStrictAndExact() {
        const ddpm::JsonValue v = ddpm::parseJson(R"( {"a": [1, 18446744073709551615, -2.5e3], "s": "\u00e9\ud83d\ude00\n", "t": true, "n": null} )");
        QCOMPARE(v.find("a")->asArray()[1].asUint64(), UINT64_MAX);   // exact, not through a double
        QCOMPARE(v.find("a")->asArray()[2].asDouble(), -2500.0);
        QCOMPARE(v.find("s")->asString(), std::string("\xc3\xa9\xf0\x9f\x98\x80\n"));
        QVERIFY(v.find("t")->asBool());
        QVERIFY(v.find("n")->kind() == ddpm::JsonValue::Kind::Null);
        for (const char* bad : {"", "{", "[1,]", "{\"a\":1,\"a\":2}", "01", "\"\\ud800\"", "\"tab\there\"", "[1] x",
                                "18446744073709551616"}) {
            bool refused = false;
            try {
                ddpm::parseJson(bad).asUint64();
            } catch (const std::runtime_error&) {
                refused = true;
            }
            QVERIFY2(refused, bad);
        }
    }

    void importTurnsAnExportBackIntoTheCheckpoint() {
        const ddpm::Dataset moons = ddpm::makeToyDataset("moons", 500, 1);
        ddpm::RunConfig run;
        run.model = ddpm::ModelConfig::preset("mlp", 2, 0);
        run.model.mlpHidden = 16;
        run.data = ddpm::dataInfoOf(moons, run.model);
        run.train.batchSize = 16;
        ddpm::Trainer trainer(run, moons, torch::kCPU);
        for (int i = 0; i < 3; ++i) trainer.step();
        trainer.save(path("original.ckpt"));
        const auto original = ddpm::loadCheckpoint(path("original.ckpt"), torch::kCPU);
        ddpm::exportSafetensors(original, ddpm::ExportedWeights::Ema, path("shared.safetensors"));

        const auto summary = ddpm::importSafetensors(path("shared.safetensors"), path("imported.ckpt"));
        QCOMPARE(summary.step, int64_t(3));
        const auto imported = ddpm::loadCheckpoint(path("imported.ckpt"), torch::kCPU);
        QCOMPARE(imported.config.serialize(), original.config.serialize());
        QCOMPARE(imported.progress.step, int64_t(3));
        const auto expected = original.ema->named_parameters();
        for (const auto* model : {imported.model.get(), imported.ema.get()})
            for (const auto& p : model->named_parameters()) QVERIFY(torch::equal(p.value(), expected[p.key()]));

        // A missing tensor, a mis-shaped one and a file without the run configuration are named.
        const auto shared = ddpm::readSafetensors(path("shared.safetensors"));
        std::vector<std::pair<std::string, std::string>> metadata(shared.metadata.begin(), shared.metadata.end());
        auto expectRefused = [&](const char* name, std::vector<NamedTensor> tensors,
                                 const std::vector<std::pair<std::string, std::string>>& meta, const QString& words) {
            ddpm::writeSafetensors(path(name), tensors, meta);
            try {
                ddpm::importSafetensors(path(name), path("refused.ckpt"));
                QFAIL(name);
            } catch (const std::runtime_error& e) {
                QVERIFY2(QString(e.what()).contains(words) && QString(e.what()).contains(name), e.what());
            }
            QVERIFY(!std::filesystem::exists(path("refused.ckpt")));
        };
        auto tensors = shared.tensors;
        const std::string dropped = tensors.back().name;
        tensors.pop_back();
        expectRefused("missing.safetensors", tensors, metadata, QString::fromStdString("'" + dropped + "' is missing"));
        tensors = shared.tensors;
        tensors[0].tensor = torch::zeros({7});
        expectRefused("shape.safetensors", tensors, metadata, "the model needs");
        expectRefused("plain.safetensors", shared.tensors, {{"format", "pt"}}, "no run configuration");
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "test_export.moc"
