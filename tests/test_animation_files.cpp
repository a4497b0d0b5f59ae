// Files the Denoise and Samples tabs write, at the core level: animated PNGs
// (written, then decoded and their structure checked), MP4 (written, or a
// clear error when OpenCV has no encoder), and the ddpm:* text chunks of
// sample grids.
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "image/Apng.h"
#include "image/ImageGrid.h"
#include "image/PngChunks.h"
#include "image/VideoFile.h"
#include "sampling/SamplingParameters.h"
#include "support/TestFiles.h"

using namespace ddpm;
namespace fs = std::filesystem;

namespace {

// Frame i of n: a horizontal ramp shifted by i, with a bright square moving across.
std::vector<cv::Mat> movingFrames(int n, int width, int height, int channels) {
    std::vector<cv::Mat> frames;
    for (int i = 0; i < n; ++i) {
        cv::Mat frame(height, width, channels == 1 ? CV_8UC1 : CV_8UC3);
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x)
                for (int c = 0; c < channels; ++c)
                    frame.ptr<uint8_t>(y)[x * channels + c] = uint8_t((x * 7 + y * 3 + i * 11 + c * 50) % 256);
        cv::rectangle(frame, cv::Rect(i * 3 % width, 4, 6, 6), cv::Scalar::all(255), cv::FILLED);
        frames.push_back(frame);
    }
    return frames;
}

bool sameImage(const cv::Mat& a, const cv::Mat& b) {
    return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

}  // namespace

class TestAnimationFiles : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    std::string path(const char* name) const { return (tmp_.path() + "/" + name).toStdString(); }

private slots:
    void apngRoundTripsGreyAndColour() {
        for (int channels : {1, 3}) {
            const auto frames = movingFrames(7, 33, 21, channels);   // odd sizes on purpose
            const std::string file = path(channels == 1 ? "grey.png" : "colour.png");
            writeApng(file, frames, 80, 0);

            const ApngFile apng = readApng(file);
            QCOMPARE(apng.width, 33);
            QCOMPARE(apng.height, 21);
            QCOMPARE(apng.channels, channels);
            QCOMPARE(apng.loops, 0);
            QCOMPARE(int(apng.frames.size()), 7);
            QCOMPARE(apng.delaysMs, std::vector<int>(7, 80));
            for (size_t i = 0; i < frames.size(); ++i) QVERIFY2(sameImage(apng.frames[i], frames[i]), qPrintable(QString::number(i)));
            // A viewer that knows only PNG shows the first frame.
            cv::Mat still = cv::imread(file, cv::IMREAD_UNCHANGED);
            QVERIFY(!still.empty());
            if (channels == 3) cv::cvtColor(still, still, cv::COLOR_BGR2RGB);
            QVERIFY(sameImage(still, frames[0]));
        }
    }

    void apngDamageIsNamed() {
        const std::string file = path("damaged.png");
        writeApng(file, movingFrames(3, 16, 16, 1), 100);
        auto bytes = test::readBytes(file);
        // Flip a byte inside the last fdAT chunk's data: its CRC no longer matches.
        bytes[bytes.size() - 20] ^= 0x5A;
        test::writeBytes(file, bytes);
        try {
            readApng(file);
            QFAIL("a damaged file was read");
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString(e.what()).contains("bad CRC in the fdAT chunk"), e.what());
            QVERIFY(QString(e.what()).startsWith(QString::fromStdString(file)));
        }
        // A still PNG is not an animation.
        writePng(path("still.png"), movingFrames(1, 8, 8, 1)[0]);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, readApng(path("still.png")));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, writeApng(path("none.png"), {}, 100));
        QVERIFY(!fs::exists(path("none.png")));
        // Frames of different sizes are refused before anything is written.
        auto mixed = movingFrames(2, 8, 8, 1);
        mixed.push_back(cv::Mat(9, 8, CV_8UC1, cv::Scalar(0)));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, writeApng(path("mixed.png"), mixed, 100));
    }

    void mp4IsWrittenOrRefusedClearly() {
        const std::string file = path("video.mp4");
        try {
            writeMp4(file, movingFrames(12, 57, 31, 3), 10);   // odd sizes are padded
            QVERIFY(fs::exists(file));
            QVERIFY(fs::file_size(file) > 0);
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString(e.what()).contains("no MP4 encoder could be opened"), e.what());
            QVERIFY(!fs::exists(file));
        }
        // No stray temporaries either way.
        for (const auto& entry : fs::directory_iterator(tmp_.path().toStdString()))
            QVERIFY2(entry.path().filename().string().find(".tmp-") == std::string::npos, entry.path().c_str());
    }

    void samplingParametersRoundTripThroughPngText() {
        SamplingParameters p;
        p.sampler = SamplerKind::Ddim;
        p.steps = 25;
        p.eta = 0.5;
        p.count = 9;
        p.seed = 123456789012ull;
        p.guidance = 3.5;
        p.classLabel = 7;
        p.checkpoint = "model.ckpt";
        p.precision = Precision::Bf16;
        writePng(path("grid.png"), movingFrames(1, 10, 10, 3)[0], toPngText(p, 1000));

        const auto text = readPngText(path("grid.png"));
        QCOMPARE(text.at("ddpm:sampler"), std::string("ddim"));
        QCOMPARE(text.at("ddpm:eta"), std::string("0.5"));
        QVERIFY(hasSamplingParameters(text));
        const SamplingParameters back = samplingParametersFromPngText(text);
        QVERIFY(back.sampler == p.sampler);
        QCOMPARE(back.steps, 25);
        QCOMPARE(back.eta, 0.5);
        QCOMPARE(back.count, int64_t(9));
        QCOMPARE(back.seed, p.seed);
        QCOMPARE(back.guidance, 3.5);
        QCOMPARE(back.classLabel, 7);
        QCOMPARE(back.checkpoint, std::string("model.ckpt"));
        QVERIFY(back.precision == Precision::Bf16);
        // DDPM walks all T steps: the text says how many were taken.
        p.sampler = SamplerKind::Ddpm;
        QCOMPARE(toPngText(p, 1000).at("ddpm:steps"), std::string("1000"));

        QVERIFY(!hasSamplingParameters({{"Software", "x"}}));
        try {
            samplingParametersFromPngText({{"ddpm:sampler", "ddim"}, {"ddpm:steps", "12x"}});
            QFAIL("a malformed value was accepted");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString(e.what()).contains("ddpm:steps"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, samplingParametersFromPngText({{"ddpm:sampler", "euler"}}));
        // Values a hand-edited file may carry are refused like the CLI refuses them, naming the key.
        for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
                 {"ddpm:steps", "-5"},
                 {"ddpm:eta", "nan"},
                 {"ddpm:guidance", "inf"},
                 {"ddpm:class", "4294967295"},   // would wrap to -1 in an int
                 {"ddpm:count", "0"},
                 {"ddpm:seed", "-1"}}) {
            try {
                samplingParametersFromPngText({{"ddpm:sampler", "ddim"}, {key, value}});
                QFAIL(qPrintable(QString::fromStdString(key + "=" + value + " was accepted")));
            } catch (const std::invalid_argument& e) {
                QVERIFY2(QString(e.what()).contains(QString::fromStdString(key)), e.what());
            }
        }
    }

    void pngTextIsReadWithoutReadingTheImage() {
        // Not a PNG: refused from the signature alone.
        std::ofstream(path("big.bin"), std::ios::binary) << std::string(1 << 20, 'x');
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, readPngText(path("big.bin")));
        // Text after a chunk that is skipped, and a text chunk cut short at the end: the whole one is kept.
        std::vector<uint8_t> png(kPngSignature, kPngSignature + 8);
        appendPngChunk(png, "IDAT", std::vector<uint8_t>(100000, 7));
        appendPngChunk(png, "tEXt", pngTextBody("ddpm:steps", "12"));
        std::vector<uint8_t> cut;
        appendPngChunk(cut, "tEXt", pngTextBody("ddpm:eta", "0.5"));
        png.insert(png.end(), cut.begin(), cut.end() - 6);
        std::ofstream(path("cut.png"), std::ios::binary).write(reinterpret_cast<const char*>(png.data()), long(png.size()));
        const auto text = readPngText(path("cut.png"));
        QCOMPARE(text.size(), size_t(1));
        QCOMPARE(text.at("ddpm:steps"), std::string("12"));

        // A named pipe (dragged over the window) is refused without opening it, which would wait for a writer.
        QCOMPARE(::mkfifo(path("pipe.png").c_str(), 0600), 0);
        try {
            readPngText(path("pipe.png"));
            QFAIL("a named pipe was read");
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString(e.what()).endsWith("pipe.png: not a regular file"), e.what());
        }

        // 40 text chunks of 1 MB under distinct keys: reading stops once 16 MB of text is kept.
        std::vector<uint8_t> wordy(kPngSignature, kPngSignature + 8);
        for (int i = 0; i < 40; ++i)
            appendPngChunk(wordy, "tEXt", pngTextBody("key" + std::to_string(i), std::string((1 << 20) - 16, 'v')));
        std::ofstream(path("wordy.png"), std::ios::binary).write(reinterpret_cast<const char*>(wordy.data()), long(wordy.size()));
        const size_t kept = readPngText(path("wordy.png")).size();
        QVERIFY2(kept >= 16 && kept <= 17, qPrintable(QString::number(kept)));
    }
};

QTEST_MAIN(TestAnimationFiles)
#include "test_animation_files.moc"
