// Text prompts: the built-in encoder's word tokenizer, its vocabulary learned from
// captions, unknown and truncated words reported, and the vocabulary's text form.
#include <QtTest>

#include "conditioning/WordTokenizer.h"

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
};

QTEST_GUILESS_MAIN(TestTextPrompts)
#include "test_text_prompts.moc"
