#include "cli/OptionTable.h"

namespace ddpm::cli {

namespace {

using K = OptionKind;

// Options that several verbs take together.
const std::vector<OptionUse>& samplerOptions() {   // the sampling choices of every verb that draws samples
    static const std::vector<OptionUse> list = {{"sampler"}, {"steps"},    {"eta"},     {"quadratic"}, {"seed"},
                                                {"class"},   {"prompt"},   {"negative-prompt"}, {"guidance"}, {"no-clip"},
                                                {"precision"}};
    return list;
}

const std::vector<OptionUse>& deviceOptions() {   // the verbs that run a model
    static const std::vector<OptionUse> list = {{"threads"}, {"device"}};
    return list;
}

std::vector<OptionUse> join(std::vector<OptionUse> a, const std::vector<OptionUse>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

}  // namespace

// The defaults are those of core/ (RunConfig, ClassifierTrainConfig, EvalConfig, SamplingParameters,
// ScheduleConfig); tests/test_cli.cpp checks that they agree. Precision's depends on the CPU:
// the ddpm tool fills it in at run time (CliSupport's verbParser).
const std::vector<OptionSpec>& optionTable() {
    static const std::vector<OptionSpec> table = {
        // name, short, value, kind, choices, default, help[, man-page details[, key]]
        {"help", "h", "", K::Flag, {}, "", "show this help and exit"},

        // Data and files
        {"data", "", "DATASET", K::Text, {}, "", "dataset path or built-in name"},
        {"resolution", "", "R", K::Int, {}, "32", "image folders: 28, 32 or 64"},
        {"out", "o", "FILE", K::Text, {}, "", "output file"},
        {"out", "", "DIR", K::Text, {}, "run", "output folder",
         "The columns of metrics.csv are described under FILES.", "out-dir"},
        {"count", "n", "N", K::Int, {}, "64", "number of samples"},
        {"batch", "", "N", K::Int, {}, "32", "batch size"},
        {"seed", "", "S", K::Int, {}, "0", "random seed"},

        // Machine
        {"threads", "", "N", K::Int, {}, "0", "CPU threads (0 = all)"},
        {"device", "", "DEV", K::Choice, {"auto", "cpu", "cuda"}, "auto", "cpu, cuda or auto"},

        // Sampling
        {"sampler", "", "KIND", K::Choice, {"ddim", "ddpm"}, "ddim", "ddpm (all T steps) or ddim"},
        {"steps", "", "N", K::Int, {}, "50", "DDIM steps"},
        {"eta", "", "E", K::Number, {}, "0", "DDIM eta (0 = deterministic)"},
        {"quadratic", "", "", K::Flag, {}, "", "DDIM: quadratic timestep spacing"},
        {"class", "", "C", K::Int, {}, "", "class-conditional models: the class (default: cycle through classes)"},
        {"prompt", "", "TEXT", K::Text, {}, "", "text models: what to draw (empty: unconditional)",
         "Words the model never saw in its captions are read as its unknown-word token and named on stderr;\n"
         "a prompt longer than the model's context is cut, with a note saying where."},
        {"negative-prompt", "", "TEXT", K::Text, {}, "", "text models: what guidance steers away from (needs --guidance)"},
        {"guidance", "", "W", K::Number, {}, "1", "classifier-free guidance scale (1 = plain conditional)"},
        {"no-clip", "", "", K::Flag, {}, "", "do not clip the predicted x0 to [-1,1]"},
        {"precision", "", "P", K::Choice, {"fp32", "bf16"}, "",
         "fp32 or bf16 (default: bf16 on CPUs with native bf16, else fp32)",
         "The convolutions and products run in bf16, norms and the sampler's arithmetic in fp32. "
         "Without AVX512, LibTorch's bf16 is a slow fallback that also sums in bf16: keep fp32 there."},

        // Noise schedule
        {"schedule", "", "KIND", K::Choice, {"linear", "cosine", "sigmoid"}, "linear",
         "beta schedule: linear, cosine, sigmoid"},
        {"timesteps", "", "T", K::Int, {}, "1000", "diffusion steps"},

        // Training
        {"preset", "", "NAME", K::Text, {}, "", "model preset: tiny, small, ddpm-cifar, peer (images), mlp (2-D toys)"},
        {"minutes", "", "M", K::Number, {}, "", "train for M minutes of training time instead of a step count"},
        {"lr", "", "LR", K::Number, {}, "0.002", "peak learning rate (AdamW)"},
        {"warmup", "", "N", K::Int, {}, "100", "learning-rate warm-up steps"},
        {"lr-decay", "", "KIND", K::Choice, {"cosine", "constant"}, "cosine", "after warm-up: cosine (to 5%) or constant"},
        {"clip", "", "NORM", K::Number, {}, "1", "gradient-norm clipping (0 = off)"},
        {"objective", "", "KIND", K::Choice, {"eps", "x0", "v"}, "",
         "what the model predicts: eps, x0, v (default: v for tiny, eps otherwise)",
         "The default is the preset's recipe: v gives tiny better samples per CPU minute."},
        {"loss", "", "KIND", K::Choice, {"mse", "min-snr"}, "min-snr", "loss weighting: min-snr (gamma 5) or mse"},
        {"ema", "", "DECAY", K::Number, {}, "0.999", "EMA decay of the sampling weights"},
        {"precision", "", "P", K::Choice, {"fp32", "bf16", "fp16"}, "",
         "fp32, bf16 (CPU or CUDA), fp16 (CUDA, with loss scaling); default bf16 on CPUs with native bf16, else fp32",
         "Master weights, norms and the loss stay in fp32. On CPUs that multiply bf16 natively (AVX512-BF16), "
         "bf16 trains faster with the same FID; without AVX512, LibTorch's bf16 fallback is many times "
         "slower and sums in bf16.",
         "train-precision"},
        {"classes", "", "", K::Flag, {}, "",
         "class-conditional model, for classifier-free guidance (default for tiny and mlp on labelled data)",
         "Labelled data: class sub-folders, IDX or CIFAR labels, the modes of toy:gmm8 and toy:gmm25. On MNIST "
         "a class-conditional model reaches the unconditional model's sample quality in about a quarter of the "
         "training time."},
        {"unconditional", "", "", K::Flag, {}, "", "no class labels, even where the data has them"},
        {"cond-drop", "", "P", K::Number, {}, "0.1", "share of labels (or captions) dropped to the null condition"},
        {"text", "", "ENCODER", K::Text, {}, "", "train on captions, with this text encoder: builtin or clip:FOLDER",
         "builtin: a small transformer trained with the U-Net, over one token per word of the training\n"
         "captions (metadata.jsonl or .csv, NAME.txt sidecars; generated for the built-in sets). It is the\n"
         "default for a folder with captions; on the built-in sets, class labels stay the default.\n"
         "clip:FOLDER: a frozen CLIP text encoder from a Hugging Face folder (config.json,\n"
         "model.safetensors, vocab.json, merges.txt; openai/clip-vit-base-patch32, for instance). Each\n"
         "distinct caption is encoded once; the run keeps the folder's path, so keep the folder.\n"
         "docs/text-prompts.md has the details and the measurements."},
        {"text-context", "", "N", K::Int, {}, "16", "text models: tokens per prompt, start and end included (CLIP: its own, 77)"},
        {"text-width", "", "D", K::Int, {}, "128", "text models: width of the token features"},
        {"text-layers", "", "N", K::Int, {}, "2", "text models: layers of the built-in encoder"},
        {"hold-out", "", "WORDS", K::Text, {}, "", "text models: leave out the training items whose captions hold all these words",
         "For instance --hold-out \"thick seven\" trains without the thick sevens, to see whether the prompt\n"
         "'a thick seven' composes what the model learned of 'thick' and of 'seven'."},
        {"cross-attention", "", "LIST", K::List, {}, "", "text models: U-Net levels that attend to the prompt (default: all but 0)"},
        {"base-channels", "", "C", K::Int, {}, "", "U-Net base width"},
        {"channel-mults", "", "LIST", K::List, {}, "", "U-Net width multipliers per level, e.g. 1,2,2"},
        {"res-blocks", "", "N", K::Int, {}, "", "U-Net residual blocks per level"},
        {"attention", "", "LIST", K::List, {}, "", "U-Net levels with self-attention, e.g. 2"},
        {"groups", "", "G", K::Int, {}, "", "GroupNorm groups"},
        {"dropout", "", "P", K::Number, {}, "", "dropout in residual blocks"},
        {"film", "", "", K::Flag, {}, "", "time embedding as scale-and-shift (FiLM) instead of additive"},
        {"layout", "", "KIND", K::Choice, {"compact", "ho"}, "", "U-Net layout: compact or ho",
         "ho is the layout of Ho et al. (2020)."},
        // Autoencoder
        {"factor", "", "F", K::Int, {}, "4", "autoencoder downsampling factor: 2, 4 or 8"},
        {"latent-channels", "", "C", K::Int, {}, "4", "autoencoder latent channels"},
        {"kl-weight", "", "W", K::Number, {}, "0.001", "weight of the KL term per latent element",
         "The loss is the L1 reconstruction error plus W times the KL divergence of q(z|x) from N(0,I), "
         "both per element; docs/latent-diffusion.md has the measurements behind the default."},

        {"save-every", "", "N", K::Int, {}, "1000", "save (checkpoint, snapshot, sample grid) every N steps (0 = only at the end)"},
        {"vae", "", "VAE.ckpt", K::Text, {}, "", "latent diffusion: train on this autoencoder's latents (ddpm train-vae)",
         "Or give a latent model's checkpoint to train on its autoencoder's latents.\n"
         "The training set is encoded once (cached); the checkpoint carries the autoencoder, so sampling,\n"
         "evaluation and the app decode its samples to pictures without the autoencoder's file."},
        {"resume", "", "CKPT", K::Text, {}, "", "continue a checkpoint exactly",
         "The losses are those of an uninterrupted run."},

        // Several processes (c10d)
        {"nproc", "", "N", K::Int, {}, "", "train on N local processes (data parallel, c10d)",
         "The batch is split over the processes and their gradients averaged; every process draws the\n"
         "whole batch's random numbers, so the run is the same on any number of processes. Without\n"
         "--nproc, the torchrun variables (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE, LOCAL_RANK) make\n"
         "this process one rank of a run on several processes or machines. Rank 0 writes the run folder.\n"
         "docs/distributed.md has the how-to."},
        {"backend", "", "NAME", K::Choice, {"gloo", "nccl"}, "gloo", "collectives: gloo (CPUs) or nccl (CUDA builds with NCCL)"},
        {"dist-timeout", "", "SECONDS", K::Number, {}, "600",
         "how long a process waits for the others (joining, each step) before it stops with an error"},

        // Sampling output
        {"no-ema", "", "", K::Flag, {}, "", "sample from the raw weights instead of the EMA copy"},
        {"pooled", "", "", K::Flag, {}, "", "one vector per prompt: the mean of its token features (CLIP: its end token's, projected)"},
        {"tokens", "", "", K::Flag, {}, "", "print each prompt's token ids"},
        {"prompts", "", "FILE", K::Text, {}, "", "text models: a grid row of --count samples per line of FILE",
         "Every row starts from the same noise, so the rows differ only by their prompts."},
        {"each", "", "DIR", K::Text, {}, "", "also write every sample as DIR/00000.png, ..."},

        // Noising
        {"index", "", "I", K::Int, {}, "0", "which image"},
        {"t", "", "LIST", K::List, {}, "0,100,500,999", "steps to show"},

        // Export
        {"format", "", "FORMAT", K::Choice, {"safetensors"}, "safetensors", "file format: safetensors"},
        {"weights", "", "WHICH", K::Choice, {"ema", "model"}, "ema",
         "ema (the sampling weights) or model (the raw training weights)"},

        // Evaluation
        {"samples", "", "IMAGES", K::Text, {}, "", "score these images instead of a checkpoint's samples"},
        {"features", "", "SPEC", K::Text, {}, "builtin", "builtin, FILE.classifier, or a TorchScript FILE.pt"},
        {"json", "", "", K::Flag, {}, "", "print one JSON object instead of text"},
        {"held-out-captions", "", "", K::Flag, {}, "",
         "text models: ask for each held-out image by its caption, and match the class of that image",
         "Sample i is drawn with the caption of the i-th held-out image that has one (the names of the\n"
         "held-out emoji, say), with its own sampler call and seed; the class match is the share the\n"
         "classifier puts in that image's class, printed per class and against chance (what samples\n"
         "unrelated to their prompts would score). --count defaults to one sample per held-out caption."},
        {"attributes", "", "PAIRS", K::Int, {}, "", "text models on mnist or fashion-mnist: test the attribute words on PAIRS seeds",
         "For each class and attribute (size, thickness, slant; clothes: size, lightness), PAIRS seeds are\n"
         "drawn under the prompt with the high word and with the low word ('a thick seven', 'a thin seven');\n"
         "a pair goes the right way when the high prompt's picture measures higher. Prints the share of\n"
         "pairs per attribute, and per class for the run's --hold-out words."},

        // Classifier training
        {"epochs", "", "N", K::Int, {}, "4", "passes over the train split"},
        {"shift", "", "PX", K::Int, {}, "2", "augmentation: random shifts up to PX pixels"},
        {"width", "", "C", K::Int, {}, "32", "channels of the first stage"},
        {"feature-dim", "", "D", K::Int, {}, "128", "size of the feature layer"},

        // Benchmark
        {"quick", "", "", K::Flag, {}, "", "a shorter run"},
        {"json", "", "FILE", K::Text, {}, "", "also write the figures as JSON", "", "json-file"},
        {"peer", "", "FILE", K::Text, {}, "",
         "the reference script (default: <prefix>/share/ddpm-studio/bench/reference_ddpm.py)"},
        {"python", "", "EXE", K::Text, {}, "/usr/bin/python3", "Python for the reference script"},
        {"child", "", "KIND", K::Text, {}, "", "internal: run one measurement (ceiling, train, sample, load, allreduce) and print it"},
        {"model", "", "NAME", K::Choice, {"tiny", "peer"}, "tiny", "with --child: tiny or peer"},
        {"space", "", "SPACE", K::Choice, {"digits", "emoji", "emoji-latents"}, "digits",
         "with --child train or sample: 28x28x1 digits, 64x64x3 emoji, or their 16x16x4 latents"},
        {"matrix", "", "N", K::Int, {}, "2048", "with --child ceiling: matrix size"},
    };
    return table;
}

const std::vector<VerbSpec>& verbTable() {
    static const std::vector<VerbSpec> table = {
        {"info", "describe a dataset, a checkpoint, or (no argument) the built-ins and presets",
         "ddpm info [DATASET | CKPT] [--resolution R]",
         "Describe a dataset: a folder or file (IDX, CIFAR binary, images) or a built-in name\n"
         "(mnist, fashion-mnist, toy:gmm8, toy:gmm25, toy:moons, toy:swissroll, toy:rings), or a\n"
         "checkpoint. Without an argument: the built-in datasets and the model presets with their sizes.",
         "For a dataset it prints the size, geometry, classes, split and skipped files; for a checkpoint the "
         "model, schedule, objective and training progress.",
         {{"DATASET", "path, built-in name, or a checkpoint (*.ckpt, a diffusion model or an autoencoder)"}},
         {{"resolution", "image folders: resize and crop to 28, 32 or 64", "64"}}},

        {"train", "train a diffusion model", "ddpm train --data DATASET [options]",
         "Train a diffusion model. Writes under --out, as the app's Train tab does: model.ckpt (model,\n"
         "EMA, optimizer, step, generators, configuration; replaced atomically) and at every save a\n"
         "snapshot checkpoints/step-N.ckpt and a grid samples-N.png from the EMA weights; at the end\n"
         "samples.png; and metrics.csv (step, wall_seconds, loss, lr, grad_norm, images_per_s).",
         "",
         {},
         join(join({{"data", "dataset path or built-in name (mnist, fashion-mnist, toy:moons, ...)"},
                    {"preset"},
                    {"vae"},
                    {"steps", "train for N steps", "4000"},
                    {"minutes"},
                    {"batch"},
                    {"lr"},
                    {"warmup"},
                    {"lr-decay"},
                    {"clip"},
                    {"objective"},
                    {"loss"},
                    {"ema"},
                    {"train-precision"},
                    {"classes"},
                    {"unconditional"},
                    {"cond-drop"},
                    {"text"},
                    {"text-context"},
                    {"text-width"},
                    {"text-layers"},
                    {"cross-attention"},
                    {"hold-out"},
                    {"resolution"},
                    {"base-channels"},
                    {"channel-mults"},
                    {"res-blocks"},
                    {"attention"},
                    {"groups"},
                    {"dropout"},
                    {"film"},
                    {"layout"}},
                   deviceOptions()),
              {{"seed"},
               {"out-dir"},
               {"save-every"},
               {"resume"},
               {"schedule", "beta schedule: linear, cosine, sigmoid (default: cosine for tiny, linear otherwise)", ""},
               {"timesteps"},
               {"nproc"},
               {"backend"},
               {"dist-timeout"}})},

        {"train-vae", "train the autoencoder for latent diffusion",
         "ddpm train-vae --data DATASET --resolution R [options] --out DIR",
         "Train a small KL autoencoder (residual blocks with GroupNorm; mean and log-variance per\n"
         "latent element) on a dataset's images: 64x64x3 to 16x16x4 at factor 4. Writes under --out\n"
         "as 'ddpm train' does: model.ckpt (weights, latent scale, held-out PSNR, optimizer, step,\n"
         "generators), a snapshot and a grid reconstructions-N.png of held-out images above their\n"
         "reconstructions at every save, reconstructions.png at the end, and metrics.csv with the\n"
         "columns l1, psnr and kl after the common ones. At each save the latent scale (the inverse\n"
         "standard deviation of the training set's latents) and the held-out PSNR are measured.",
         "",
         {},
         join({{"data", "dataset path or built-in name (emoji, mnist, a folder of images, ...)"},
               {"resolution", "image size: the dataset's images are read at R x R", "32"},
               {"factor"},
               {"latent-channels"},
               {"kl-weight"},
               {"steps", "train for N steps", "4000"},
               {"minutes"},
               {"batch", nullptr, "16"},
               {"lr", "peak learning rate (AdamW, warm-up then cosine)", "0.001"},
               {"warmup"},
               {"clip"},
               {"base-channels", "autoencoder base width (doubled per level, up to 4x)", "32"},
               {"groups", "GroupNorm groups", "8"},
               {"seed"},
               {"out-dir"},
               {"save-every"},
               {"resume"}},
              deviceOptions())},

        {"sample", "sample from a checkpoint", "ddpm sample CKPT -o OUT.png [options]",
         "Sample from a trained model. Images: a PNG grid with the parameters in its text chunks;\n"
         "2-D models: a CSV of points (x,y per line).",
         "",
         {{"CKPT", "checkpoint written by 'ddpm train'"}},
         join(join({{"out", "output PNG (or CSV for 2-D models)"}, {"count"}, {"prompts"}, {"no-ema"}, {"each"}},
                   deviceOptions()),
              samplerOptions())},

        {"noise", "forward-noising strip of one image", "ddpm noise --data DATASET --index I -o strip.png [options]",
         "Write the forward-noising strip x_t = sqrt(abar_t) x_0 + sqrt(1-abar_t) eps of one image at\n"
         "the given steps (one noise draw for all of them). For a 2-D toy: a CSV t,x,y of all its\n"
         "points at each step (t = 0 is the data itself).",
         "",
         {},
         {{"data"},
          {"index"},
          {"t"},
          {"seed", "noise seed"},
          {"resolution"},
          {"out", "output PNG (CSV for 2-D toys)"},
          {"schedule"},
          {"timesteps"}}},

        {"export", "write a checkpoint's weights as safetensors",
         "ddpm export CKPT -o FILE [--format safetensors] [--weights ema|model]",
         "Write one set of a checkpoint's weights as a safetensors file: tensor names as in PyTorch's\n"
         "state_dict, in the stored precision, with the run configuration as string metadata\n"
         "(\"run.model.base_channels\", ...). The file is replaced atomically. An autoencoder from\n"
         "'ddpm train-vae' has one set of weights; its latent scale is in \"ddpm.latent_scale\".",
         "",
         {{"CKPT", "checkpoint written by 'ddpm train' or 'ddpm train-vae'"}},
         {{"out"}, {"format"}, {"weights"}}},

        {"import", "turn safetensors weights from 'ddpm export' back into a checkpoint",
         "ddpm import MODEL.safetensors -o OUT.ckpt",
         "Read a safetensors file written by 'ddpm export' and write a checkpoint that samples,\n"
         "evaluates and exports like the original: the run configuration comes from the file's\n"
         "\"run.*\" metadata, the weights become both the raw and the EMA weights, and the optimizer\n"
         "starts afresh ('ddpm train --resume OUT.ckpt --steps N' trains on from the exported step).\n"
         "Reading safetensors runs no code from the file: this is the safe way to take a model from\n"
         "someone else. Every tensor must be present with the configured shape.",
         "",
         {{"MODEL", "safetensors file from 'ddpm export'"}},
         {{"out", "output checkpoint"}}},

        {"eval", "FID, KID and classifier confidence of a checkpoint's samples",
         "ddpm eval CKPT [options]  |  ddpm eval --samples IMAGES --data DATASET [options]",
         "Score a checkpoint: draw samples with its EMA weights and compare them with the held-out\n"
         "split of a dataset by FID and KID in a fixed feature space (the dataset's built-in\n"
         "classifier, a classifier from 'ddpm train-classifier', or a TorchScript Inception file).\n"
         "With --samples, score given images instead (a .npy such as bench/reference_ddpm.py writes, a folder\n"
         "from 'ddpm sample --each', any dataset 'ddpm info' reads): all of them are used.\n"
         "Numbers from different feature networks are not comparable; the extractor is printed.",
         "",
         {{"CKPT", "checkpoint written by 'ddpm train' (not with --samples)", false}},
         join(join({{"samples"},
                    {"data", "reference dataset (default: the one the checkpoint was trained on)", nullptr,
                     "Required with --samples."},
                    {"resolution", "with --samples: the size image folders are read at (28, 32 or 64)", "64",
                     "The samples are read at the reference's size."},
                    {"count", "samples to draw (default: the held-out size, at most 10000)", ""},
                    {"features"},
                    {"batch", "samples per sampler call", "250"},
                    {"json"},
                    {"held-out-captions"},
                    {"attributes"}},
                   deviceOptions()),
              samplerOptions())},

        {"encode-text", "a text encoder's prompt features, as .npy",
         "ddpm encode-text --text (CKPT | clip:FOLDER) (--prompt TEXT | --prompts FILE) -o OUT.npy [--pooled] [--tokens]",
         "Run a text encoder on prompts and write float32 features. A text model's checkpoint: what its\n"
         "cross-attention reads, (N, context, width), zero at padding, or with --pooled (N, width), the mean\n"
         "over each prompt's tokens; an empty prompt is the model's null condition. clip:FOLDER: CLIP's last\n"
         "hidden state at every position, padding included, (N, context, width), as Hugging Face's\n"
         "CLIPTextModel gives it, or with --pooled its end token's feature through text_projection\n"
         "(N, projection_dim). --tokens prints each prompt's token ids (start to end). Unknown words and\n"
         "cut prompts are named on stderr.",
         "",
         {},
         join({{"text", "a text model's checkpoint (ddpm train --text), or clip:FOLDER"},
               {"prompt", "the prompt to encode"},
               {"prompts", "a prompt per line of FILE"},
               {"out", "output .npy"},
               {"pooled"},
               {"tokens"},
               {"text-context", "clip:FOLDER: tokens per prompt, start and end included (default: the model's)"}},
              {{"threads"}})},

        {"train-classifier", "train the feature classifier that eval measures with",
         "ddpm train-classifier --data DATASET -o OUT.classifier [options]",
         "Train a small CNN classifier on a labelled dataset's train split and report its accuracy\n"
         "on the held-out split. Its penultimate layer is a feature space for 'ddpm eval --features'.",
         "",
         {},
         join({{"data", "labelled dataset (built-in name, folder of class sub-folders, IDX, CIFAR)"},
               {"out", "output classifier file"},
               {"resolution", "image folders: resize to R x R", "28"},
               {"epochs"},
               {"batch", nullptr, "128"},
               {"lr", "peak learning rate (Adam, cosine decay)"},
               {"shift"},
               {"width"},
               {"feature-dim"},
               {"seed"}},
              deviceOptions())},

        {"bench", "training and sampling speed against the plain-PyTorch reference DDPM",
         "ddpm bench [--quick] [--json FILE] [options]",
         "Measure training and sampling speed, peak memory and dataset loading on this machine,\n"
         "with the machine's arithmetic ceiling and the plain-PyTorch reference\n"
         "(share/ddpm-studio/bench/reference_ddpm.py) in the same run. Prints a Markdown table.\n"
         "Under load: tiny training and DDIM sampling beside one busy process per core against the\n"
         "quiet machine, interleaved, with passive (ddpm's) and libgomp's default (spinning) OpenMP waits.\n"
         "Latent against pixel diffusion: tiny on the emoji at 64x64x3 and on an autoencoder's 16x16x4\n"
         "latents of them (training, and DDIM-50 for 64 images with the decoding), interleaved.\n"
         "Full: 1 and all threads, 20 timed steps, DDPM-1000, 5,000 JPEGs, two rounds under load and\n"
         "of latent against pixel (about fifteen minutes). Quick: all threads only, 5 timed steps,\n"
         "500 JPEGs, one round.",
         "",
         {},
         {{"quick"},
          {"json-file"},
          {"peer"},
          {"python"},
          {"child"},
          {"threads", "with --child", "1"},
          {"model"},
          {"space"},
          {"precision", "with --child: fp32 or bf16", "fp32", ""},
          {"steps", "with --child train: timed steps", "20"},
          {"sampler", "with --child sample: ddim (50 steps) or ddpm"},
          {"count", "with --child sample: images"},
          {"matrix"},
          {"data", "with --child load: what to load"},
          {"nproc", "with --child allreduce: processes", "2"}}},
    };
    return table;
}

const OptionSpec* findOption(const std::string& key) {
    for (const auto& o : optionTable())
        if (o.id() == key) return &o;
    return nullptr;
}

const VerbSpec* findVerb(const std::string& name) {
    for (const auto& v : verbTable())
        if (name == v.name) return &v;
    return nullptr;
}

}  // namespace ddpm::cli
