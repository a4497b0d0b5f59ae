#include "evaluation/ScoresCsv.h"

#include <QRegularExpression>
#include <QStringList>

#include "util/AtomicFile.h"

namespace ddpm::ui {

namespace {

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
QString csvField(QString text) {
    if (!text.contains(QRegularExpression("[\",\r\n]"))) return text;
    return '"' + text.replace('"', "\"\"") + '"';
}

QString number(double value) { return QString::number(value, 'g', 8); }

}  // namespace

QString scoresCsv(const QList<CheckpointScore>& scores) {
    QString csv = "step,fid,kid,kid_std,confident_share,class_match_share,chance_match_share,held_out_captions,"
                  "asked_with_seen_words,seen_words_matched,samples,reference_images,checkpoint,extractor\n";
    const auto share = [](double value) { return value < 0 ? QString() : number(value); };
    for (const CheckpointScore& s : scores) {
        const QStringList fields = {QString::number(s.step),
                                    number(s.fid),
                                    number(s.kid),
                                    number(s.kidStd),
                                    share(s.confidentShare),
                                    share(s.classMatchShare),
                                    share(s.chanceMatchShare),
                                    s.heldOutCaptions ? "1" : "0",
                                    s.askedWithSeenWords < 0 ? QString() : QString::number(s.askedWithSeenWords),
                                    s.askedWithSeenWords < 0 ? QString() : QString::number(s.seenWordsMatched),
                                    QString::number(s.count),
                                    QString::number(s.referenceCount),
                                    csvField(s.path),
                                    csvField(s.extractor)};
        csv += fields.join(',') + '\n';
    }
    return csv;
}

QString writeScoresCsv(const QString& path, const QList<CheckpointScore>& scores) {
    const QByteArray bytes = scoresCsv(scores).toUtf8();
    try {
        ddpm::writeFileAtomically(path.toStdString(), std::vector<uint8_t>(bytes.begin(), bytes.end()));
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

}  // namespace ddpm::ui
