#pragma once
// What the Evaluate tab asks its worker for and what comes back, one score per
// checkpoint. Torch-free: the view and the worker's header share it.
#include <QMetaType>
#include <QString>
#include <QStringList>

#include "dataset/DatasetPtr.h"

namespace ddpm::ui {

struct EvaluationRequest {
    QStringList checkpoints;
    bool oneScorePerStep = false;   // a run folder: model.ckpt repeats its last snapshot's step
    DatasetPtr reference;           // its held-out split is what the samples are compared with
    qint64 sampleCount = 500;       // ddpm eval's default is min(10,000, held-out size)
    int samplerSteps = 20;          // DDIM
    QString features = "builtin";   // "builtin", *.classifier or a TorchScript *.pt
    bool heldOutCaptions = false;   // text models: each sample asked for by a held-out image's caption
};

struct CheckpointScore {
    QString path;
    qint64 step = 0;
    double fid = 0, kid = 0, kidStd = 0;
    double confidentShare = -1;     // -1: the extractor is not a classifier
    // Conditional models scored by a classifier of their classes (-1 otherwise): the share put in
    // the class asked for, and what it would be by chance (ddpm eval's class match).
    double classMatchShare = -1, chanceMatchShare = -1;
    bool heldOutCaptions = false;   // the class match asked by the held-out captions (the request's)
    // heldOutCaptions: samples asked with captions of words all seen in training, and of those the matched (-1, 0 otherwise).
    qint64 askedWithSeenWords = -1, seenWordsMatched = 0;
    qint64 count = 0, referenceCount = 0;
    QString extractor;              // numbers from different extractors never compare
    double seconds = 0;
};

}  // namespace ddpm::ui

Q_DECLARE_METATYPE(ddpm::ui::CheckpointScore)
