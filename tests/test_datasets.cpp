// Dataset loaders: built-in data, generated files of every format, the split,
// format detection, progress and cancel, and a table of malformed inputs.
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <functional>

#include <sys/stat.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "data/DatasetError.h"
#include "data/DatasetLoader.h"
#include "data/ToyDatasets.h"
#include "support/TestFiles.h"

namespace fs = std::filesystem;
using namespace ddpm;
using namespace ddpm::test;

using PathMaker = std::function<std::string(const fs::path& dir)>;
Q_DECLARE_METATYPE(PathMaker)

namespace {

std::string writeImage(const fs::path& path, const cv::Mat& img) {
    fs::create_directories(path.parent_path());
    if (!cv::imwrite(path.string(), img)) throw std::runtime_error("cannot write " + path.string());
    return path.string();
}

cv::Mat colourImage(int w, int h, cv::Scalar bgr) { return cv::Mat(h, w, CV_8UC3, bgr); }

}  // namespace

class TestDatasets : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    fs::path dir(const char* name) {
        fs::path p = fs::path(tmp_.path().toStdString()) / name;
        fs::create_directories(p);
        return p;
    }

private slots:
    void builtinMnist() {
        Dataset d = loadDataset("mnist");
        QCOMPARE(d.count, int64_t(10000));
        QCOMPARE(d.width, 28);
        QCOMPARE(d.height, 28);
        QCOMPARE(d.channels, 1);
        QCOMPARE(d.numClasses(), 10);
        QCOMPARE(d.trainCount, int64_t(9000));
        QCOMPARE(d.pixels.size(), size_t(10000 * 28 * 28));
        // The provenance note's class counts of the held-out 1,000.
        const std::vector<int64_t> expected = {84, 106, 107, 102, 106, 93, 100, 113, 102, 87};
        std::vector<int64_t> heldOut(10, 0);
        for (int64_t i = d.trainCount; i < d.count; ++i) ++heldOut[size_t(d.labels[size_t(i)])];
        QCOMPARE(heldOut, expected);
        // Real digits: dark background, bright strokes.
        QCOMPARE(int(d.image(0)[0]), 0);
        QVERIFY(*std::max_element(d.image(0), d.image(0) + 784) > 200);
    }

    void builtinFashionMnist() {
        if (!fs::exists("/usr/share/datasets/fashion-mnist")) QSKIP("dataset-fashion-mnist is not installed");
        Dataset d = loadDataset("fashion-mnist");
        QCOMPARE(d.count, int64_t(70000));
        QCOMPARE(d.trainCount, int64_t(60000));
        QCOMPARE(d.classNames.at(9), std::string("Ankle boot"));
        QCOMPARE(d.classCounts().at(3), int64_t(7000));
    }

    void builtinList() {
        auto list = builtinDatasets();
        QVERIFY(list.size() >= 7);
        QCOMPARE(list.front().name, std::string("mnist"));
        QVERIFY(list.front().available);
    }

    void idxFileRawAndGzip_data() {
        QTest::addColumn<bool>("gz");
        QTest::newRow("raw") << false;
        QTest::newRow("gzip") << true;
    }
    void idxFileRawAndGzip() {
        QFETCH(bool, gz);
        fs::path d = dir(gz ? "idx-gz" : "idx-raw");
        writeIdxPair(d, "digits", 25, 5, 6, 4, gz);
        Dataset ds = loadDataset((d / (std::string("digits-images-idx3-ubyte") + (gz ? ".gz" : ""))).string());
        QCOMPARE(ds.format, std::string("idx"));
        QCOMPARE(ds.count, int64_t(25));
        QCOMPARE(ds.height, 5);
        QCOMPARE(ds.width, 6);
        QCOMPARE(ds.numClasses(), 4);
        QCOMPARE(ds.labels.at(7), 3);
        QCOMPARE(ds.image(7)[2 * 6 + 4], idxPixel(7, 2, 4));
        QCOMPARE(ds.trainCount, int64_t(23));   // no test file: last 10% held out
    }

    void idxFolderWithTestSplit() {
        fs::path d = dir("idx-folder");
        writeIdxPair(d, "train", 30, 4, 4, 10, true);
        writeIdxPair(d, "t10k", 12, 4, 4, 10, false);
        Dataset ds = loadDataset(d.string());
        QCOMPARE(ds.count, int64_t(42));
        QCOMPARE(ds.trainCount, int64_t(30));
        QCOMPARE(ds.image(30)[5], idxPixel(0, 1, 1));   // the first test image follows the train images
    }

    void idxDetectedByContent() {
        fs::path d = dir("idx-content");
        writeBytes(d / "mystery.dat", idxBytes({3, 2, 2}, std::vector<uint8_t>(12, 9)));
        Dataset ds = loadDataset((d / "mystery.dat").string());
        QCOMPARE(ds.count, int64_t(3));
        QVERIFY(!ds.hasLabels());
    }

    void npyLayouts_data() {
        QTest::addColumn<QString>("shape");
        QTest::addColumn<int>("channels");
        QTest::addColumn<bool>("channelsLast");
        QTest::newRow("N,H,W grey") << "(4, 3, 5)" << 1 << false;
        QTest::newRow("N,H,W,C colour") << "(4, 3, 5, 3)" << 3 << true;
        QTest::newRow("N,C,H,W colour") << "(4, 3, 3, 5)" << 3 << false;
        QTest::newRow("N,1,H,W grey") << "(4, 1, 3, 5)" << 1 << false;
    }
    void npyLayouts() {
        QFETCH(QString, shape);
        QFETCH(int, channels);
        QFETCH(bool, channelsLast);
        const int n = 4, h = 3, w = 5;
        // Pixel value encodes (image, channel, y, x) so that a wrong transpose shows.
        auto value = [&](int i, int c, int y, int x) { return uint8_t(i * 60 + c * 20 + y * 5 + x); };
        std::vector<uint8_t> data;
        for (int i = 0; i < n; ++i)
            if (channelsLast) {
                for (int y = 0; y < h; ++y)
                    for (int x = 0; x < w; ++x)
                        for (int c = 0; c < channels; ++c) data.push_back(value(i, c, y, x));
            } else {
                for (int c = 0; c < channels; ++c)
                    for (int y = 0; y < h; ++y)
                        for (int x = 0; x < w; ++x) data.push_back(value(i, c, y, x));
            }
        const fs::path file = dir("npy") / (std::string(QTest::currentDataTag()).substr(0, 5) + ".npy");
        writeBytes(file, npyBytes("|u1", shape.toStdString(), data));
        const Dataset ds = loadDataset(file.string());
        QCOMPARE(ds.format, std::string("npy"));
        QCOMPARE(ds.count, int64_t(n));
        QCOMPARE(ds.channels, channels);
        QCOMPARE(ds.height, h);
        QCOMPARE(ds.width, w);
        QCOMPARE(ds.trainCount, int64_t(n));   // under 10 items: nothing held out
        for (int c = 0; c < channels; ++c) QCOMPARE(ds.image(2)[(c * h + 1) * w + 4], value(2, c, 1, 4));
    }

    void cifar10Folder() {
        fs::path d = dir("cifar10");
        writeCifarFile(d / "data_batch_1.bin", 7, 1, 10);
        writeCifarFile(d / "data_batch_2.bin", 5, 1, 10);
        writeCifarFile(d / "test_batch.bin", 4, 1, 10);
        const std::string meta = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n";
        writeBytes(d / "batches.meta.txt", std::vector<uint8_t>(meta.begin(), meta.end()));
        Dataset ds = loadDataset(d.string());
        QCOMPARE(ds.format, std::string("cifar-10"));
        QCOMPARE(ds.count, int64_t(16));
        QCOMPARE(ds.trainCount, int64_t(12));
        QCOMPARE(ds.channels, 3);
        QCOMPARE(ds.classNames.at(9), std::string("truck"));
        QCOMPARE(ds.labels.at(8), 1);   // second file's record 1
        QCOMPARE(int(ds.image(3)[1024 * 2 + 17]), (3 + 100) % 256);   // planar: channel 2
    }

    void cifar100Folder() {
        fs::path d = dir("cifar100");
        writeCifarFile(d / "train.bin", 9, 2, 100);
        writeCifarFile(d / "test.bin", 3, 2, 100);
        Dataset ds = loadDataset(d.string());
        QCOMPARE(ds.format, std::string("cifar-100"));
        QCOMPARE(ds.count, int64_t(12));
        QCOMPARE(ds.trainCount, int64_t(9));
        QCOMPARE(ds.numClasses(), 100);
    }

    void imageFolderClassesAndMixedFormats() {
        fs::path d = dir("images-mixed");
        writeImage(d / "cats" / "a.png", colourImage(40, 30, {0, 0, 255}));
        writeImage(d / "cats" / "b.jpg", colourImage(30, 40, {0, 0, 255}));
        writeImage(d / "cats" / "deep" / "c.bmp", colourImage(64, 64, {0, 0, 255}));
        writeImage(d / "dogs" / "d.webp", colourImage(50, 50, {255, 0, 0}));
        writeImage(d / "dogs" / "e.tiff", cv::Mat(20, 20, CV_16UC1, cv::Scalar(65535)));
        writeImage(d / "dogs" / "f.png", cv::Mat(33, 33, CV_8UC4, cv::Scalar(0, 255, 0, 128)));
        writeImage(d / "dogs" / "g.png", cv::Mat(1, 1, CV_8UC1, cv::Scalar(77)));
        LoadOptions opt;
        opt.resolution = 32;
        Dataset ds = loadDataset(d.string(), opt);
        QCOMPARE(ds.format, std::string("image-folder"));
        QCOMPARE(ds.count, int64_t(7));
        QVERIFY(ds.skipped.empty());
        QCOMPARE(ds.channels, 3);
        QCOMPARE(ds.width, 32);
        QCOMPARE(ds.classNames, (std::vector<std::string>{"cats", "dogs"}));
        QCOMPARE(ds.classCounts(), (std::vector<int64_t>{3, 4}));
        // Sorted order: cats/a.png first. It is pure red: RGB order, planar.
        QCOMPARE(ds.labels.at(0), 0);
        QCOMPARE(int(ds.image(0)[0]), 255);
        QCOMPARE(int(ds.image(0)[1024]), 0);
        // dogs/e.tiff (16-bit white) became 8-bit white in all three channels.
        int e = -1;
        for (int i = 0; i < 7; ++i)
            if (ds.labels[size_t(i)] == 1 && ds.image(i)[0] == 255 && ds.image(i)[1024] == 255) e = i;
        QVERIFY(e >= 0);
    }

    void imageFolderGreyStaysGreyAndCropsCentre() {
        fs::path d = dir("images-grey");
        cv::Mat img(32, 64, CV_8UC1, cv::Scalar(0));
        img(cv::Rect(32, 0, 32, 32)).setTo(255);   // left half black, right half white
        for (int i = 0; i < 20; ++i) writeImage(d / ("img" + std::to_string(100 + i) + ".png"), img);
        LoadOptions opt;
        opt.resolution = 32;
        Dataset ds = loadDataset(d.string(), opt);
        QCOMPARE(ds.channels, 1);
        QVERIFY(!ds.hasLabels());
        QCOMPARE(ds.count, int64_t(20));
        QCOMPARE(ds.trainCount, int64_t(18));
        // 64x32 -> crop x 16..47: columns 0..15 black, 16..31 white.
        QCOMPARE(int(ds.image(0)[5 * 32 + 2]), 0);
        QCOMPARE(int(ds.image(0)[5 * 32 + 29]), 255);
    }

    void imageFolderSkipsBadFilesAndLoadsTheRest() {
        fs::path d = dir("images-some-bad");
        writeImage(d / "good1.png", colourImage(8, 8, {1, 2, 3}));
        writeImage(d / "good2.png", colourImage(8, 8, {1, 2, 3}));
        writeBytes(d / "empty.png", {});
        writeBytes(d / "corrupt.jpg", std::vector<uint8_t>(500, 0x5A));
        // 40 bytes whose JPEG header declares 14,927 × 65,361 pixels (found by fuzz_image_folder):
        // refused before OpenCV allocates 2.9 GB for them.
        writeBytes(d / "huge.jpg", readBytes(fs::path(DDPM_SOURCE_DIR) / "tests/fuzz/regressions/image_folder/"
                                                                        "jpeg-header-declaring-975-megapixels.jpg"));
        // A DICOM preamble (found by fuzz_image_folder): OpenCV would hand it to GDCM, whose
        // assertion aborts the process; only the signatures of the formats named reach a decoder.
        writeBytes(d / "scan.png", readBytes(fs::path(DDPM_SOURCE_DIR) / "tests/fuzz/regressions/image_folder/"
                                                                        "dicom-preamble-gdcm-aborts"));
        writeBytes(d / "scan.webp", readBytes(fs::path(DDPM_SOURCE_DIR) / "tests/fuzz/regressions/image_folder/"
                                                                         "webp-signature-dicom-preamble"));
        fs::create_directory_symlink(d, d / "loop");
        fs::create_symlink(d / "missing.png", d / "dangling.png");
        QCOMPARE(::mkfifo((d / "pipe.png").c_str(), 0644), 0);   // reading it would wait for a writer forever
        Dataset ds = loadDataset(d.string(), LoadOptions{28});
        QCOMPARE(ds.count, int64_t(2));
        QCOMPARE(ds.skipped.size(), size_t(8));
        auto reasonFor = [&](const std::string& name) {
            for (const auto& s : ds.skipped)
                if (s.path.find(name) != std::string::npos) return s.reason;
            return std::string("<not skipped>");
        };
        QVERIFY(reasonFor("empty.png").find("empty") != std::string::npos);
        QVERIFY(reasonFor("corrupt.jpg").find("not a PNG, JPEG, BMP, WebP or TIFF file") != std::string::npos);
        QVERIFY(reasonFor("scan.png").find("not a PNG, JPEG, BMP, WebP or TIFF file") != std::string::npos);
        QVERIFY(reasonFor("scan.webp").find("not a PNG, JPEG, BMP, WebP or TIFF file") != std::string::npos);
        QVERIFY2(reasonFor("huge.jpg").find("larger than its memory limit") != std::string::npos, reasonFor("huge.jpg").c_str());
        QVERIFY(reasonFor("loop").find("symlink loop") != std::string::npos);
        QVERIFY(reasonFor("dangling.png").find("broken link") != std::string::npos);
        QVERIFY(reasonFor("pipe.png").find("not a regular file") != std::string::npos);
        // Named on its own, a pipe is refused before anything opens it.
        try {
            loadDataset((d / "pipe.png").string());
            QFAIL("a pipe was opened");
        } catch (const DatasetError& e) {
            QVERIFY2(std::string(e.what()).find("not a regular file") != std::string::npos, e.what());
        }
    }

    void imageFolderNonUtf8NamesAndHugeImages() {
        fs::path d = dir("images-odd");
        writeImage(d / "ok.png", colourImage(4, 4, {0, 0, 0}));
        writeBytes(d / std::string("bad\xff\xfe.png"), {1, 2, 3});
        writeImage(d / "huge.png", cv::Mat(20000, 20000, CV_8UC1, cv::Scalar(200)));
        Dataset ds = loadDataset(d.string(), LoadOptions{28});
        QCOMPARE(ds.count, int64_t(2));   // ok.png and the 20000x20000 one
        QCOMPARE(ds.skipped.size(), size_t(1));
        QVERIFY(ds.skipped[0].path.find("bad\\xFF\\xFE.png") != std::string::npos);
    }

    void progressAndCancel() {
        fs::path d = dir("images-progress");
        for (int i = 0; i < 30; ++i) writeImage(d / ("i" + std::to_string(i) + ".png"), colourImage(16, 16, {9, 9, 9}));
        LoadOptions opt;
        opt.resolution = 28;
        int64_t lastDone = -1, lastTotal = -1;
        opt.progress = [&](int64_t done, int64_t total) {
            lastDone = done;
            lastTotal = total;
            return true;
        };
        loadDataset(d.string(), opt);
        QCOMPARE(lastTotal, int64_t(30));
        QCOMPARE(lastDone, int64_t(30));
        opt.progress = [](int64_t, int64_t) { return false; };
        QVERIFY_THROWS_EXCEPTION(Cancelled, loadDataset(d.string(), opt));
    }

    void toys() {
        for (const auto& name : toyDatasetNames()) {
            Dataset a = loadDataset("toy:" + name);
            QCOMPARE(a.count, int64_t(10000));
            QVERIFY(a.isPoints());
            QCOMPARE(a.points.size(), size_t(20000));
            Dataset b = loadDataset("toy:" + name);
            QCOMPARE(a.points, b.points);   // seeded
            Dataset c = makeToyDataset(name, 10000, 7);
            QVERIFY(a.points != c.points);
        }
        Dataset g = loadDataset("toy:gmm8");
        const auto centres = toyModeCentres("gmm8");
        for (int i = 0; i < 100; ++i) {
            auto [cx, cy] = centres[size_t(g.labels[size_t(i)])];
            QVERIFY(std::hypot(g.points[size_t(2 * i)] - cx, g.points[size_t(2 * i + 1)] - cy) < 0.3);
        }
    }

    // Every malformed input: a DatasetError naming the file, with the reason.
    void malformed_data() {
        QTest::addColumn<PathMaker>("make");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QString>("names");
        QTest::addColumn<int>("resolution");
        auto row = [](const char* tag, PathMaker make, const char* reason, const char* names, int resolution = 64) {
            QTest::newRow(tag) << make << QString(reason) << QString(names) << resolution;
        };
        row("idx wrong magic", [](const fs::path& d) {
            writeBytes(d / "x-idx3-ubyte", {1, 2, 8, 3, 0, 0, 0, 0}); return (d / "x-idx3-ubyte").string();
        }, "wrong magic", "x-idx3-ubyte");
        row("idx element type", [](const fs::path& d) {
            writeBytes(d / "t-idx3-ubyte", {0, 0, 0x0D, 3, 0, 0, 0, 1}); return (d / "t-idx3-ubyte").string();
        }, "unsupported IDX element type", "t-idx3-ubyte");
        row("idx truncated", [](const fs::path& d) {
            auto b = idxBytes({10, 4, 4}, std::vector<uint8_t>(80, 1)); writeBytes(d / "tr-idx3-ubyte", b);
            return (d / "tr-idx3-ubyte").string();
        }, "IDX dimensions say 176 bytes but the file holds 96", "tr-idx3-ubyte");
        row("idx trailing data", [](const fs::path& d) {
            auto b = idxBytes({1, 2, 2}, std::vector<uint8_t>(9, 1)); writeBytes(d / "tl-idx3-ubyte", b);
            return (d / "tl-idx3-ubyte").string();
        }, "IDX dimensions say", "tl-idx3-ubyte");
        row("gzip truncated", [](const fs::path& d) {
            auto gz = gzipBytes(idxBytes({50, 8, 8}, std::vector<uint8_t>(3200, 3)));
            gz.resize(gz.size() / 2); writeBytes(d / "g-idx3-ubyte.gz", gz); return (d / "g-idx3-ubyte.gz").string();
        }, "truncated", "g-idx3-ubyte.gz");
        row("gzip corrupt", [](const fs::path& d) {
            std::vector<uint8_t> raw; for (int i = 0; i < 5000; ++i) raw.push_back(uint8_t(i * 31 % 251));
            auto gz = gzipBytes(idxBytes({50, 10, 10}, raw));
            for (size_t i = 20; i < gz.size() - 10; i += 7) gz[i] ^= 0xA5;
            writeBytes(d / "c-idx3-ubyte.gz", gz); return (d / "c-idx3-ubyte.gz").string();
        }, "gzip", "c-idx3-ubyte.gz");
        row("idx over memory limit", [](const fs::path& d) {
            writeBytes(d / "big-idx3-ubyte", idxBytes({60000, 20000, 20000}, {})); return (d / "big-idx3-ubyte").string();
        }, "memory limit", "big-idx3-ubyte");
        row("idx labels count", [](const fs::path& d) {
            writeIdxPair(d, "m", 5, 2, 2, 3, false);
            writeBytes(d / "m-labels-idx1-ubyte", idxBytes({4}, {0, 1, 2, 0}));
            return (d / "m-images-idx3-ubyte").string();
        }, "holds 4 labels but", "m-labels-idx1-ubyte");
        row("idx labels dims", [](const fs::path& d) {
            writeIdxPair(d, "l", 5, 2, 2, 3, false);
            writeBytes(d / "l-labels-idx1-ubyte", idxBytes({5, 1}, {0, 1, 2, 0, 1}));
            return (d / "l-images-idx3-ubyte").string();
        }, "1-dimensional", "l-labels-idx1-ubyte");
        row("idx no images", [](const fs::path& d) {
            writeBytes(d / "z-idx3-ubyte", idxBytes({0, 28, 28}, {})); return (d / "z-idx3-ubyte").string();
        }, "holds no images", "z-idx3-ubyte");
        row("idx zero-byte file", [](const fs::path& d) {
            writeBytes(d / "e-idx3-ubyte", {}); return (d / "e-idx3-ubyte").string();
        }, "empty (0 bytes)", "e-idx3-ubyte");
        row("idx folder sizes disagree", [](const fs::path& d) {
            writeIdxPair(d / "mixed", "train", 5, 4, 4, 2, false);
            writeIdxPair(d / "mixed", "t10k", 5, 5, 5, 2, false);
            return (d / "mixed").string();
        }, "images are 5x5 but", "t10k-images-idx3-ubyte");
        row("empty folder", [](const fs::path& d) {
            fs::create_directories(d / "nothing"); return (d / "nothing").string();
        }, "folder is empty", "nothing");
        row("folder without images", [](const fs::path& d) {
            writeBytes(d / "texts" / "readme.txt", {'h', 'i'}); return (d / "texts").string();
        }, "no images found", "texts");
        row("folder all corrupt", [](const fs::path& d) {
            writeBytes(d / "bad" / "a.png", {1, 2, 3}); writeBytes(d / "bad" / "b.jpg", {});
            return (d / "bad").string();
        }, "none of the 2 image files could be read", "bad");
        row("image folder resolution", [](const fs::path& d) {
            writeImage(d / "r" / "a.png", colourImage(4, 4, {0, 0, 0})); return (d / "r").string();
        }, "resolution must be 28, 32 or 64", "r", 50);
        row("cifar size", [](const fs::path& d) {
            writeBytes(d / "cf" / "data_batch_1.bin", std::vector<uint8_t>(3073 * 2 + 5, 0));
            return (d / "cf").string();
        }, "not a whole number of 3073-byte CIFAR records", "data_batch_1.bin");
        row("cifar label range", [](const fs::path& d) {
            std::vector<uint8_t> rec(3073, 0); rec[0] = 12; writeBytes(d / "cl" / "test_batch.bin", rec);
            return (d / "cl").string();
        }, "label 12, beyond the 10 classes", "test_batch.bin");
        row("missing path", [](const fs::path& d) { return (d / "no-such-thing").string(); },
            "no such file or folder", "no-such-thing");
        row("symlink loop path", [](const fs::path& d) {
            fs::create_symlink(d / "loopB", d / "loopA"); fs::create_symlink(d / "loopA", d / "loopB");
            return (d / "loopA").string();
        }, "symlink loop", "loopA");
        row("unknown format", [](const fs::path& d) {
            writeBytes(d / "data.xyz", {'a', 'b', 'c', 'd', 'e'}); return (d / "data.xyz").string();
        }, "unrecognised format", "data.xyz");
        row("single image", [](const fs::path& d) {
            return writeImage(d / "one.png", colourImage(4, 4, {0, 0, 0}));
        }, "a single image is not a dataset", "one.png");
        row("npy float", [](const fs::path& d) {
            writeBytes(d / "f.npy", npyBytes("<f4", "(1, 2, 2)", std::vector<uint8_t>(16))); return (d / "f.npy").string();
        }, "is not read: save the images as uint8", "f.npy");
        row("npy not images", [](const fs::path& d) {
            writeBytes(d / "v.npy", npyBytes("|u1", "(12,)", std::vector<uint8_t>(12))); return (d / "v.npy").string();
        }, "is not images", "v.npy");
        row("npy truncated", [](const fs::path& d) {
            writeBytes(d / "t.npy", npyBytes("|u1", "(3, 4, 4)", std::vector<uint8_t>(40))); return (d / "t.npy").string();
        }, "truncated", "t.npy");
        row("npy trailing data", [](const fs::path& d) {
            writeBytes(d / "l.npy", npyBytes("|u1", "(1, 2, 2)", std::vector<uint8_t>(5))); return (d / "l.npy").string();
        }, "bytes follow the array", "l.npy");
        row("npy bad magic", [](const fs::path& d) {
            writeBytes(d / "m.npy", std::vector<uint8_t>(80, 'x')); return (d / "m.npy").string();
        }, "not a NumPy .npy file", "m.npy");
        row("non-utf8 missing", [](const fs::path& d) { return (d / std::string("\xc3\x28zz")).string(); },
            "no such file", "\\xC3(zz");
        row("unknown toy", [](const fs::path&) { return std::string("toy:spiral"); },
            "unknown 2-D toy dataset", "toy:spiral");
    }
    void malformed() {
        QFETCH(PathMaker, make);
        QFETCH(QString, reason);
        QFETCH(QString, names);
        QFETCH(int, resolution);
        const fs::path d = dir(QTest::currentDataTag());
        const std::string path = make(d);
        LoadOptions opt;
        opt.resolution = resolution;
        opt.memoryLimitBytes = 1ull << 30;
        try {
            loadDataset(path, opt);
            QFAIL("no error was raised");
        } catch (const DatasetError& e) {
            const QString message = QString::fromStdString(e.what());
            QVERIFY2(message.contains(reason), qPrintable("message: " + message));
            QVERIFY2(message.contains(names), qPrintable("message does not name the file: " + message));
        }
    }
};

QTEST_GUILESS_MAIN(TestDatasets)
#include "test_datasets.moc"
