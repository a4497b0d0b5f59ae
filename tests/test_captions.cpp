// Captions: an image folder's metadata.jsonl / metadata.csv and sidecar files, with
// every bad row and file reported; the digits' and clothes' captions generated from
// attributes measured on the pixels; the words of a caption.
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <map>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "data/CaptionWords.h"
#include "data/DatasetLoader.h"
#include "data/FolderCaptions.h"
#include "data/GeneratedCaptions.h"

namespace fs = std::filesystem;
using namespace ddpm;

namespace {

void writeText(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

void writeImage(const fs::path& path, int shade) {
    fs::create_directories(path.parent_path());
    QVERIFY(cv::imwrite(path.string(), cv::Mat(32, 32, CV_8UC3, cv::Scalar(shade, 255 - shade, 90))));
}

// The problem reported for `where` (a file or "file line N"), or "" when there is none.
std::string problemAt(const Dataset& d, const std::string& where) {
    for (const SkippedFile& s : d.skipped)
        if (s.path.size() >= where.size() && s.path.compare(s.path.size() - where.size(), where.size(), where) == 0)
            return s.reason;
    return "";
}

// A 28×28 grey image with a white line from (x0,y0) to (x1,y1), `width` pixels wide.
cv::Mat strokeImage(int x0, int y0, int x1, int y1, int width) {
    cv::Mat image(28, 28, CV_8UC1, cv::Scalar(0));
    cv::line(image, {x0, y0}, {x1, y1}, cv::Scalar(255), width);
    return image;
}

ImageAttributes measured(const cv::Mat& image) { return measureAttributes(image.data, image.rows, image.cols); }

}  // namespace

class TestCaptions : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    fs::path path(const char* name) const { return fs::path(tmp_.path().toStdString()) / name; }

private slots:
    void initTestCase() { QVERIFY(tmp_.isValid()); }

    // metadata.jsonl (the Hugging Face layout) and sidecar files: the metadata's caption
    // first, UTF-8 kept whole, each bad line or file reported with its reason.
    void jsonLinesAndSidecars() {
        const fs::path folder = path("jsonl");
        for (const char* name : {"a.png", "b.png", "c.png", "d.png", "e.png"}) writeImage(folder / name, 40);
        writeText(folder / "metadata.jsonl",
                  "{\"file_name\": \"a.png\", \"text\": \"  red apple \"}\n"
                  "{\"file_name\": \"b.png\", \"text\": \n"
                  "{\"file_name\": \"missing.png\", \"text\": \"x\"}\n"
                  "{\"file_name\": \"b.png\", \"text\": 5}\n"
                  "\n"
                  "{\"file_name\": \"c.png\", \"text\": \"caf\\u00e9 \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x8d\x8e\"}\n");
        writeText(folder / "a.txt", "not this one: the metadata names a.png");
        writeText(folder / "d.txt", "a blue\nbird\n");
        writeText(folder / "e.caption", std::string("bad \xff\xfe bytes"));
        LoadOptions options;
        options.resolution = 32;
        const Dataset d = loadDataset(folder.string(), options);
        QCOMPARE(d.count, int64_t(5));
        const std::vector<std::string> expected = {"red apple", "", "caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x8d\x8e",
                                                   "a blue\nbird", ""};
        QCOMPARE(d.captions, expected);
        QVERIFY2(problemAt(d, "metadata.jsonl line 2").rfind("not JSON", 0) == 0, problemAt(d, "metadata.jsonl line 2").c_str());
        QCOMPARE(problemAt(d, "metadata.jsonl line 3"), std::string("names missing.png, which is not an image of the folder"));
        QCOMPARE(problemAt(d, "metadata.jsonl line 4"), std::string("no \"text\" string"));
        QCOMPARE(problemAt(d, "e.caption"), std::string("the caption is not valid UTF-8"));
        QCOMPARE(summarizeCaptions(d).captioned, int64_t(3));
    }

    // metadata.csv: quoted fields with commas, doubled quotes and line breaks; a short row.
    void csvMetadata() {
        const fs::path folder = path("csv");
        for (const char* name : {"cats/a.png", "cats/b.png", "dogs/c.png"}) writeImage(folder / name, 200);
        writeText(folder / "metadata.csv",
                  "file_name,text,score\r\n"
                  "cats/a.png,\"a \"\"big\"\", red\r\ncat\",1\r\n"
                  "dogs/c.png,plain dog,2\r\n"
                  "cats/b.png\r\n");
        LoadOptions options;
        options.resolution = 32;
        const Dataset d = loadDataset(folder.string(), options);
        QCOMPARE(d.numClasses(), 2);
        const std::vector<std::string> expected = {"a \"big\", red\r\ncat", "", "plain dog"};
        QCOMPARE(d.captions, expected);
        QCOMPARE(problemAt(d, "metadata.csv row 3"), std::string("has 1 fields, fewer than the header's"));

        writeText(folder / "metadata.csv", "\xEF\xBB\xBF" "file_name,text\ndogs/c.png,saved by a spreadsheet\n");
        QCOMPARE(loadDataset(folder.string(), options).captions.back(), std::string("saved by a spreadsheet"));   // BOM
        writeText(folder / "metadata.csv", "file_name,text\na.png,\"never closed\n");
        QVERIFY(problemAt(loadDataset(folder.string(), options), "metadata.csv").find("line 2: a quote that never closes") !=
                std::string::npos);
        writeText(folder / "metadata.csv", "name,caption\ncats/a.png,x\n");
        QCOMPARE(problemAt(loadDataset(folder.string(), options), "metadata.csv"),
                 std::string("its header has no file_name and text columns"));
        QVERIFY(loadDataset(folder.string(), options).captions.empty());
    }

    void csvParser() {
        QCOMPARE(parseCsv("a,b\n1,\"x,y\"\n"), (std::vector<std::vector<std::string>>{{"a", "b"}, {"1", "x,y"}}));
        QCOMPARE(parseCsv("a,,\"\"\nlast"), (std::vector<std::vector<std::string>>{{"a", "", ""}, {"last"}}));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, parseCsv("\"a\"b,c\n"));
    }

    // The attributes the digits' words come from, on strokes drawn with known ones.
    void measuredAttributes() {
        const auto thin = measured(strokeImage(14, 4, 14, 23, 1)), thick = measured(strokeImage(14, 4, 14, 23, 5));
        QVERIFY2(thin.thickness < 1.5 && thick.thickness > 3.5, qPrintable(QString("%1 %2").arg(thin.thickness).arg(thick.thickness)));
        const auto right = measured(strokeImage(8, 23, 19, 4, 2)), left = measured(strokeImage(19, 23, 8, 4, 2));
        QVERIFY2(right.slant > 0.4 && left.slant < -0.4, qPrintable(QString("%1 %2").arg(right.slant).arg(left.slant)));
        QVERIFY(std::abs(thin.slant) < 0.05);
        const auto small = measured(strokeImage(12, 10, 15, 16, 2)), large = measured(strokeImage(4, 2, 23, 25, 2));
        QVERIFY(small.size < large.size);
        cv::Mat grey(28, 28, CV_8UC1, cv::Scalar(0));
        cv::rectangle(grey, {6, 6}, {20, 20}, cv::Scalar(160), cv::FILLED);
        QVERIFY(std::abs(measured(grey).lightness - 160.0 / 255) < 1e-9);
        QCOMPARE(measured(cv::Mat(28, 28, CV_8UC1, cv::Scalar(0))).size, 0.0);
    }

    // The built-in digits: every image captioned with its digit; each word splits every
    // class, a third of its training images on each side.
    void digitsCarryGeneratedCaptions() {
        const Dataset d = loadDataset("mnist");
        QCOMPARE(int64_t(d.captions.size()), d.count);
        const char* digits[] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};
        std::map<std::string, std::vector<int>> perClass;   // word → training images of each class with it
        std::vector<int> classSize(10);
        for (int64_t i = 0; i < d.count; ++i) {
            const int label = d.labels[size_t(i)];
            const auto words = captionWords(d.captions[size_t(i)]);
            QVERIFY2(std::count(words.begin(), words.end(), digits[label]) == 1, d.captions[size_t(i)].c_str());
            if (i >= d.trainCount) continue;
            ++classSize[size_t(label)];
            for (const std::string& word : words) {
                auto& counts = perClass[word];
                counts.resize(10);
                ++counts[size_t(label)];
            }
        }
        for (const char* word : {"thin", "thick", "small", "large"})
            for (int c = 0; c < 10; ++c) {
                const double share = double(perClass[word][size_t(c)]) / classSize[size_t(c)];
                QVERIFY2(share > 0.25 && share < 0.34, qPrintable(QString("%1 in class %2: %3").arg(word).arg(c).arg(share)));
            }
        QCOMPARE(summarizeCaptions(d).vocabulary, size_t(19));
        QVERIFY(std::count(d.captions.begin(), d.captions.end(), "an eight") > 0);
        QVERIFY(std::count(d.captions.begin(), d.captions.end(), "a one") > 0);   // by the sound, not the letter
    }

    void wordsOfACaption() {
        QCOMPARE(captionWords("A T-shirt, don't -- Caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac! 'quoted' x-"),
                 (std::vector<std::string>{"a", "t-shirt", "don't", "caf\xc3\xa9", "\xe6\x9d\xb1\xe4\xba\xac", "quoted", "x"}));
        QVERIFY(captionWords(" \t\n").empty());
    }
};

QTEST_GUILESS_MAIN(TestCaptions)
#include "test_captions.moc"
