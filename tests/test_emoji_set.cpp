// The built-in emoji set: Unicode's list, drawing sequences with the font (and
// reporting those it lacks), the cached folder read without a font, the labels,
// captions and split, the names, the missing packages, and the real set where
// Debian's packages are installed.
#include <QTemporaryDir>
#include <QtTest>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "data/DatasetError.h"
#include "data/DatasetLoader.h"
#include "data/EmojiSet.h"
#include "data/EmojiTestFile.h"

namespace fs = std::filesystem;
using namespace ddpm;

namespace {

void writeText(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

// A list in emoji-test.txt's layout: two groups, three subgroups, every status.
const char* kList =
    "# emoji-test.txt\n# Version: 15.0\n\n"
    "# group: Smileys & Emotion\n\n# subgroup: face-smiling\n"
    "1F600                                  ; fully-qualified     # 😀 E1.0 grinning face\n"
    "263A FE0F                              ; fully-qualified     # ☺️ E0.6 smiling face\n"
    "263A                                   ; unqualified         # ☺ E0.6 smiling face\n\n"
    "# subgroup: face-affection\n"
    "1F60D                                  ; fully-qualified     # 😍 E0.6 smiling face with heart-eyes\n\n"
    "# group: People & Body\n\n# subgroup: person-role\n"
    "1F469 200D 1F4BB                       ; fully-qualified     # 👩‍💻 E4.0 woman technologist\n"
    "1F600 200D 1F4BB                       ; fully-qualified     # 😀‍💻 E0.0 made-up grinning technologist\n"
    "1F3FB                                  ; component           # 🏻 E1.0 light skin tone\n";

bool packagesInstalled() { return emojiSetAvailable(); }

int64_t sumAbsDifference(const uint8_t* a, const uint8_t* b, int64_t n) {
    int64_t s = 0;
    for (int64_t i = 0; i < n; ++i) s += std::abs(int(a[i]) - int(b[i]));
    return s;
}

}  // namespace

class TestEmojiSet : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    fs::path path(const std::string& name) const { return fs::path(tmp_.path().toStdString()) / name; }

    // A rendered folder as renderEmojiSet leaves it, written without a font: n solid
    // 32-px images whose colour encodes their index; groups "A" (i < n/2) and "B",
    // subgroups by index % 3, names "emoji i".
    std::string writeFolder(const std::string& name, int n) {
        const fs::path folder = path(name);
        std::string index = "# ddpm-studio emoji set 1\t32px\tTest Font 1.000\tUnicode emoji 15.0\n";
        for (int i = 0; i < n; ++i) {
            const std::string file = "images/" + std::to_string(i) + ".png";
            fs::create_directories(folder / "images");
            cv::imwrite((folder / file).string(), cv::Mat(32, 32, CV_8UC3, cv::Scalar(0, i, 255 - i)));
            index += file + "\t1F600\t" + (i < n / 2 ? "A" : "B") + "\tsub" + std::to_string(i % 3) + "\temoji " +
                     std::to_string(i) + "\n";
        }
        writeText(folder / "index.tsv", index);
        writeText(folder / "skipped.tsv", "# code points\tname\n1F600 200D 1F4BB\tmade-up\n");
        return folder.string();
    }

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        // Renders go to a cache of this test's own.
        qputenv("DDPM_STUDIO_CACHE_DIR", QByteArray::fromStdString(path("cache").string()));
    }

    void listKeepsFullyQualifiedWithGroupsAndNames() {
        writeText(path("list.txt"), kList);
        const EmojiTestFile list = readEmojiTestFile(path("list.txt").string());
        QCOMPARE(list.version, std::string("15.0"));
        QCOMPARE(int(list.entries.size()), 5);
        QCOMPARE(list.entries[1].codepoints, (std::vector<char32_t>{0x263A, 0xFE0F}));
        QCOMPARE(list.entries[1].name, std::string("smiling face"));
        QCOMPARE(list.entries[2].subgroup, std::string("face-affection"));
        QCOMPARE(list.entries[3].group, std::string("People & Body"));
        QCOMPARE(list.entries[3].name, std::string("woman technologist"));
        QCOMPARE(codepointsText(list.entries[3].codepoints), std::string("1F469 200D 1F4BB"));
    }

    void malformedListNamesTheLine_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("reason");
        QTest::newRow("no semicolon") << "# group: G\n# subgroup: s\n1F600 fully-qualified # x E1.0 n\n" << "line 3";
        QTest::newRow("bad hex") << "# group: G\n# subgroup: s\n1F6G0 ; fully-qualified # x E1.0 n\n"
                                 << "line 3: malformed code points";
        QTest::newRow("surrogate") << "# group: G\n# subgroup: s\nD800 ; fully-qualified # x E1.0 n\n"
                                   << "malformed code points";
        QTest::newRow("no group") << "1F600 ; fully-qualified # x E1.0 n\n" << "before any";
        QTest::newRow("no name") << "# group: G\n# subgroup: s\n1F600 ; fully-qualified # x\n" << "no name";
        QTest::newRow("empty") << "# nothing here\n" << "no fully-qualified emoji";
    }
    void malformedListNamesTheLine() {
        QFETCH(QString, text);
        QFETCH(QString, reason);
        writeText(path("bad-list.txt"), text.toStdString());
        try {
            readEmojiTestFile(path("bad-list.txt").string());
            QFAIL("no error");
        } catch (const DatasetError& e) {
            QVERIFY2(QString::fromStdString(e.path()).endsWith("bad-list.txt"), e.what());
            QVERIFY2(QString::fromStdString(e.reason()).contains(reason), e.what());
        }
    }

    void renderedFolderIsLabelledCaptionedAndSplit() {
        const std::string folder = writeFolder("rendered", 25);
        const Dataset d = readEmojiSetFolder(folder, {});
        QCOMPARE(d.count, int64_t(25));
        QCOMPARE(d.channels, 3);
        QCOMPARE(d.width, 32);
        // Every tenth (list positions 9 and 19) is held out, last.
        QCOMPARE(d.trainCount, int64_t(23));
        QCOMPARE(d.captions[23], std::string("emoji 9"));
        QCOMPARE(d.captions[24], std::string("emoji 19"));
        QCOMPARE(d.captions[9], std::string("emoji 10"));
        QCOMPARE(d.classNames, (std::vector<std::string>{"A", "B"}));
        // Pixels, label and caption stay together: list position 19's image is (R=236, G=19, B=0).
        const uint8_t* image = d.image(24);
        QCOMPARE(int(image[0]), 255 - 19);
        QCOMPARE(int(image[32 * 32]), 19);
        QCOMPARE(int(image[2 * 32 * 32]), 0);
        QCOMPARE(d.labels[24], 1);
        QCOMPARE(d.labels[23], 0);
        QCOMPARE(int(d.skipped.size()), 1);
        QVERIFY(d.skipped[0].path.find("1F600 200D 1F4BB") != std::string::npos);

        EmojiSetOptions subgroups;
        subgroups.subgroups = true;
        const Dataset s = readEmojiSetFolder(folder, subgroups);
        QCOMPARE(s.classNames, (std::vector<std::string>{"sub0", "sub1", "sub2"}));
        QCOMPARE(s.labels[24], 19 % 3);
    }

    void damagedFolderNamesTheFile_data() {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reason");
        QTest::newRow("missing image") << "rm 3" << "images/3.png" << "missing";
        QTest::newRow("wrong size") << "big 3" << "images/3.png" << "is 64x64";
        QTest::newRow("not a png") << "garbage 3" << "images/3.png" << "not a readable PNG";
        QTest::newRow("short row") << "row" << "index.tsv" << "line 2: expected 5";
        QTest::newRow("foreign index") << "header" << "index.tsv" << "not an emoji set index";
    }
    void damagedFolderNamesTheFile() {
        QFETCH(QString, damage);
        QFETCH(QString, file);
        QFETCH(QString, reason);
        const fs::path folder = writeFolder("damaged-" + std::to_string(std::rand()), 6);
        const std::string index = "# ddpm-studio emoji set 1\t32px\tF\tU\n";
        if (damage == "rm 3") fs::remove(folder / "images/3.png");
        if (damage == "big 3") cv::imwrite((folder / "images/3.png").string(), cv::Mat(64, 64, CV_8UC3));
        if (damage == "garbage 3") writeText(folder / "images/3.png", "\x89PNG not really");
        if (damage == "row") writeText(folder / "index.tsv", index + "images/0.png\t1F600\tA\n");
        if (damage == "header") writeText(folder / "index.tsv", "file\tgroup\n");
        try {
            readEmojiSetFolder(folder.string(), {});
            QFAIL("no error");
        } catch (const DatasetError& e) {
            QVERIFY2(QString::fromStdString(e.path()).endsWith(file), e.what());
            QVERIFY2(QString::fromStdString(e.reason()).contains(reason), e.what());
        }
    }

    void names() {
        QVERIFY(isEmojiSetName("emoji"));
        QVERIFY(isEmojiSetName("emoji:subgroups"));
        QVERIFY(!isEmojiSetName("emojis"));
        const EmojiSetOptions o = parseEmojiSetName("emoji:subgroups:bg=102030");
        QVERIFY(o.subgroups);
        QCOMPARE(int(o.background.r), 0x10);
        QCOMPARE(int(o.background.b), 0x30);
        for (const char* bad : {"emoji:bg=12345", "emoji:bg=gg0000", "emoji:huge"})
            QVERIFY_THROWS_EXCEPTION(DatasetError, parseEmojiSetName(bad));
        LoadOptions at28;
        at28.resolution = 28;
        try {
            loadDataset("emoji", at28);
            QFAIL("no error");
        } catch (const DatasetError& e) {
            QVERIFY2(std::string(e.what()).find("32 or 64") != std::string::npos, e.what());
        }
    }

    void missingPackagesAreNamed() {
        qputenv("DDPM_EMOJI_LIST", QByteArray::fromStdString(path("no-such-list.txt").string()));
        try {
            loadDataset("emoji");
            QFAIL("no error");
        } catch (const DatasetError& e) {
            QVERIFY2(std::string(e.what()).find("apt-get install unicode-data") != std::string::npos, e.what());
        }
        writeText(path("list.txt"), kList);
        qputenv("DDPM_EMOJI_LIST", QByteArray::fromStdString(path("list.txt").string()));
        qputenv("DDPM_EMOJI_FONT", QByteArray::fromStdString(path("no-such-font.ttf").string()));
        try {
            loadDataset("emoji");
            QFAIL("no error");
        } catch (const DatasetError& e) {
            QVERIFY2(std::string(e.what()).find("apt-get install fonts-noto-color-emoji") != std::string::npos,
                     e.what());
        }
        writeText(path("not-a-font.ttf"), "not a font");
        qputenv("DDPM_EMOJI_FONT", QByteArray::fromStdString(path("not-a-font.ttf").string()));
        QVERIFY_THROWS_EXCEPTION(DatasetError, loadDataset("emoji"));
        qunsetenv("DDPM_EMOJI_LIST");
        qunsetenv("DDPM_EMOJI_FONT");
        QVERIFY(!builtinDatasets().empty());
    }

    // With the real font: sequences it ligates are drawn, one it does not is reported.
    void fontDrawsSequencesAndReportsTheRest() {
        if (!packagesInstalled()) QSKIP("fonts-noto-color-emoji and unicode-data are not installed");
        writeText(path("list.txt"), kList);
        const std::string folder = path("drawn").string();
        renderEmojiSet(emojiFontPath(), path("list.txt").string(), 32, Rgb8{}, folder, {});
        const Dataset d = readEmojiSetFolder(folder, {});
        QCOMPARE(d.count, int64_t(4));
        QCOMPARE(int(d.skipped.size()), 1);
        QVERIFY(d.skipped[0].path.find("made-up grinning technologist") != std::string::npos);
        QCOMPARE(d.captions[3], std::string("woman technologist"));
        // A drawn face is not blank: white corners, a coloured middle.
        const uint8_t* face = d.image(0);
        QCOMPARE(int(face[0]), 255);
        const int centre = 16 * 32 + 16;
        QVERIFY(face[centre] != 255 || face[32 * 32 + centre] != 255 || face[2 * 32 * 32 + centre] != 255);
        // Different emoji, different pictures.
        QVERIFY(sumAbsDifference(d.image(0), d.image(3), d.imageBytes()) > 1000);
    }

    // The installed set: its count and groups, drawn once and then read from the cache.
    void realSetCountGroupsAndCache() {
        if (!packagesInstalled()) QSKIP("fonts-noto-color-emoji and unicode-data are not installed");
        LoadOptions options;
        options.resolution = 32;
        int64_t lastTotal = 0;
        options.progress = [&](int64_t, int64_t total) { lastTotal = total; return true; };
        const Dataset d = loadDataset("emoji", options);
        const EmojiTestFile list = readEmojiTestFile(emojiListPath());
        QCOMPARE(lastTotal, int64_t(list.entries.size()));
        QCOMPARE(d.count + int64_t(d.skipped.size()), int64_t(list.entries.size()));
        QVERIFY2(d.count > 3400, qPrintable(QString::number(d.count)));
        QCOMPARE(d.numClasses(), 9);
        QCOMPARE(d.classNames.front(), std::string("Smileys & Emotion"));
        QCOMPARE(d.heldOutCount(), d.count / 10);
        QCOMPARE(int64_t(d.captions.size()), d.count);

        // The second load draws nothing.
        bool drew = false;
        options.progress = [&](int64_t, int64_t) { drew = true; return true; };
        const Dataset again = loadDataset("emoji", options);
        QVERIFY(!drew);
        QCOMPARE(again.pixels, d.pixels);
        QVERIFY(again.source.find("rendered in") != std::string::npos);
        QVERIFY(again.source.find(path("cache").string()) != std::string::npos);

        // A damaged cache is drawn again.
        for (const auto& entry : fs::recursive_directory_iterator(path("cache")))
            if (entry.path().filename() == "0000.png") fs::remove(entry.path());
        const Dataset redrawn = loadDataset("emoji", options);
        QVERIFY(drew);
        QCOMPARE(redrawn.pixels, d.pixels);
    }
};

QTEST_GUILESS_MAIN(TestEmojiSet)
#include "test_emoji_set.moc"
