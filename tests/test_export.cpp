// The safetensors writer, read back by the tests' own independent reader.
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <filesystem>
#include <torch/torch.h>

#include "export/Safetensors.h"
#include "support/SafetensorsReader.h"
#include "support/TestFiles.h"

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
};

QTEST_GUILESS_MAIN(TestExport)
#include "test_export.moc"
