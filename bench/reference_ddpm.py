#!/usr/bin/python3
"""Reference DDPM in plain PyTorch: the yardstick of `ddpm bench`.

DDPM Studio's C++ trainer is measured against this script. It builds the same
network as ddpm's `peer` model preset and trains it with the same recipe, on
Debian's python3-torch (LibTorch underneath), so a ratio against it shows what
the C++ program makes of the same kernels.

Network (620,705 parameters): a U-Net on 32x32x1 images, the 28x28 digits
padded by 2 with -1. Widths 32, 64, 64 at 32x32, 16x16 and 8x8, one residual
block per level on the way down and up and one in the middle, no attention.
A residual block is GroupNorm(8) -> SiLU -> 3x3 conv, plus the time embedding
projected to the block's width, then GroupNorm(8) -> SiLU -> 3x3 conv, added to
its input (through a 1x1 conv where the width changes). Down: stride-2 3x3
conv; up: nearest-neighbour x2. Time: sinusoidal features of width 32 ->
Linear(32,128) -> SiLU -> Linear(128,128).

Diffusion: T = 1000 steps, betas linear from 1e-4 to 0.02; the network
predicts the added noise (mean squared error).

Modes:
  --bench [--sample-seconds]
      time --steps Adam steps (lr 2e-4, batch 64 unless --batch) on random
      images after 3 untimed ones; with --sample-seconds, also time DDIM-50
      for 64 images.
  --train-seconds S --out P
      train on the first 9,000 shipped digits for S seconds of wall-clock time
      (AdamW lr 4e-4, batch 128 unless --batch, gradient norm clipped to 1,
      EMA of the weights with decay min(0.999, (1+k)/(10+k)) after step k),
      then draw 64 digits with DDIM-50 (eta 0) from the EMA weights and write
      P.npy (uint8, 64x28x28) and P.pgm (an 8x8 grid of them).

Output: lines of key=value words, which `ddpm bench` reads, e.g.
  parameters=620705
  train threads=2 batch=64 step_ms=812.3 images_per_s=78.8
  ddim50 n=64 seconds=5.36
"""
import argparse
import copy
import gzip
import math
import os
import struct
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DIFFUSION_STEPS = 1000
BETAS = torch.linspace(1e-4, 0.02, DIFFUSION_STEPS)
ALPHA_BARS = torch.cumprod(1.0 - BETAS, dim=0)  # (T,): the share of signal left after step t

DIGIT_SIZE = 28
PADDING = 2  # 28x28 digits become 32x32 network inputs
IMAGE_SIZE = DIGIT_SIZE + 2 * PADDING
TRAINING_DIGITS = 9000  # the shipped file holds 10,000; the last 1,000 are held out
IMAGES_FILE = "images-idx3-ubyte.gz"
IDX_IMAGES_MAGIC = 2051

BENCH_BATCH = 64
TRAIN_BATCH = 128
WARM_UP_STEPS = 3
SAMPLE_COUNT = 64  # an 8x8 grid
DDIM_STEPS = 50


# ---- network ----

def sinusoidal_features(t, width):
    """t: (N,) integer diffusion steps -> (N, width): sines then cosines of t at
    frequencies falling geometrically from 1 to 1/10000."""
    half = width // 2
    frequencies = torch.exp(torch.arange(half, dtype=torch.float32) * (-math.log(10000.0) / half))  # (half,)
    angles = t.float()[:, None] * frequencies[None, :]  # (N, half)
    return torch.cat([angles.sin(), angles.cos()], dim=1)


class ResidualBlock(nn.Module):
    """(N, in_width, H, W) and a time embedding (N, embedding_width) -> (N, out_width, H, W)."""

    def __init__(self, in_width, out_width, embedding_width, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, in_width)
        self.conv1 = nn.Conv2d(in_width, out_width, 3, padding=1)
        self.time_projection = nn.Linear(embedding_width, out_width)
        self.norm2 = nn.GroupNorm(groups, out_width)
        self.conv2 = nn.Conv2d(out_width, out_width, 3, padding=1)
        self.shortcut = nn.Conv2d(in_width, out_width, 1) if in_width != out_width else nn.Identity()

    def forward(self, x, embedding):
        h = self.conv1(F.silu(self.norm1(x)))  # (N, out_width, H, W)
        h = h + self.time_projection(embedding)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return h + self.shortcut(x)


class ReferenceUNet(nn.Module):
    """Predicts the noise in x_t: (N, channels, 32, 32) images and (N,) steps -> (N, channels, 32, 32)."""

    def __init__(self, channels=1, base_width=32, multipliers=(1, 2, 2), groups=8):
        super().__init__()
        widths = [base_width * m for m in multipliers]
        embedding_width = 4 * base_width
        self.feature_width = base_width
        self.time_mlp = nn.Sequential(
            nn.Linear(base_width, embedding_width), nn.SiLU(), nn.Linear(embedding_width, embedding_width))
        self.stem = nn.Conv2d(channels, base_width, 3, padding=1)

        # Encoder: a block per level, then halve the resolution except at the last level.
        self.encoder = nn.ModuleList()
        self.downsample = nn.ModuleList()
        width = base_width
        for level, level_width in enumerate(widths):
            self.encoder.append(ResidualBlock(width, level_width, embedding_width, groups))
            is_last = level == len(widths) - 1
            self.downsample.append(
                nn.Identity() if is_last else nn.Conv2d(level_width, level_width, 3, stride=2, padding=1))
            width = level_width

        self.middle = ResidualBlock(width, width, embedding_width, groups)

        # Decoder: deepest level first; each block also takes the encoder's output at
        # its level, then doubles the resolution except at the top level.
        self.decoder = nn.ModuleList()
        self.upsample = nn.ModuleList()
        for level in reversed(range(len(widths))):
            self.decoder.append(ResidualBlock(width + widths[level], widths[level], embedding_width, groups))
            self.upsample.append(nn.Upsample(scale_factor=2, mode="nearest") if level > 0 else nn.Identity())
            width = widths[level]

        self.head = nn.Sequential(nn.GroupNorm(groups, width), nn.SiLU(), nn.Conv2d(width, channels, 3, padding=1))

    def forward(self, x, t):
        embedding = self.time_mlp(sinusoidal_features(t, self.feature_width))  # (N, 4 * base_width)
        h = self.stem(x)  # (N, base_width, 32, 32)
        skips = []
        for block, down in zip(self.encoder, self.downsample):
            h = block(h, embedding)
            skips.append(h)
            h = down(h)
        h = self.middle(h, embedding)  # (N, widths[-1], 8, 8)
        for block, up in zip(self.decoder, self.upsample):
            h = up(block(torch.cat([h, skips.pop()], dim=1), embedding))
        return self.head(h)


def initialise(model, generator):
    """Redraw every conv and linear weight and bias from `generator` with PyTorch's
    default distribution, U(-1/sqrt(fan_in), 1/sqrt(fan_in)); GroupNorm keeps 1 and 0."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                bound = 1.0 / math.sqrt(module.weight[0].numel())
                module.weight.uniform_(-bound, bound, generator=generator)
                module.bias.uniform_(-bound, bound, generator=generator)


# ---- diffusion ----

def noise_prediction_loss(model, x0, generator):
    """x0: (N, C, H, W) clean images in [-1, 1] -> scalar: the mean squared error of
    the predicted noise, at a random step per image."""
    n = x0.shape[0]
    t = torch.randint(0, DIFFUSION_STEPS, (n,), generator=generator)  # (N,)
    noise = torch.randn(x0.shape, generator=generator)  # (N, C, H, W)
    alpha_bar = ALPHA_BARS[t].view(n, 1, 1, 1)
    x_t = alpha_bar.sqrt() * x0 + (1.0 - alpha_bar).sqrt() * noise
    return F.mse_loss(model(x_t, t), noise)


@torch.no_grad()
def sample_ddim(model, count, generator, steps=DDIM_STEPS):
    """Deterministic DDIM (eta 0) from pure noise -> (count, 1, 32, 32) in [-1, 1]."""
    x = torch.randn(count, 1, IMAGE_SIZE, IMAGE_SIZE, generator=generator)
    timesteps = torch.linspace(DIFFUSION_STEPS - 1, 0, steps).long()  # (steps,): 999 ... 0
    for i, t in enumerate(timesteps):
        alpha_bar = ALPHA_BARS[t]
        alpha_bar_next = ALPHA_BARS[timesteps[i + 1]] if i + 1 < steps else torch.tensor(1.0)
        noise = model(x, torch.full((count,), int(t)))
        # Predict the clean image, clamp it to the data range, and take the noise that goes with it.
        x0 = ((x - (1.0 - alpha_bar).sqrt() * noise) / alpha_bar.sqrt()).clamp(-1.0, 1.0)
        noise = (x - alpha_bar.sqrt() * x0) / (1.0 - alpha_bar).sqrt()
        x = alpha_bar_next.sqrt() * x0 + (1.0 - alpha_bar_next).sqrt() * noise
    return x


# ---- data and output ----

def default_data_folder():
    """The shipped digits: under $DDPM_STUDIO_DATA_DIR when set (as ddpm does), else in
    the share/ddpm-studio tree this script is installed or built into, else in the
    source tree. Returns the first that holds the images, or None."""
    here = Path(__file__).resolve().parent
    candidates = [here.parent / "data" / "mnist", here.parent / "resources" / "data" / "mnist"]
    if os.environ.get("DDPM_STUDIO_DATA_DIR"):
        candidates.insert(0, Path(os.environ["DDPM_STUDIO_DATA_DIR"]) / "data" / "mnist")
    return next((c for c in candidates if (c / IMAGES_FILE).is_file()), None)


def load_digits(folder):
    """The first 9,000 digits of folder/images-idx3-ubyte.gz -> (9000, 1, 32, 32)
    float in [-1, 1], padded with the background value -1."""
    with gzip.open(folder / IMAGES_FILE, "rb") as f:
        raw = f.read()
    magic, count, rows, cols = struct.unpack(">4i", raw[:16])  # IDX header: big-endian int32s
    if magic != IDX_IMAGES_MAGIC or (rows, cols) != (DIGIT_SIZE, DIGIT_SIZE) or count < TRAINING_DIGITS:
        raise ValueError(f"{folder / IMAGES_FILE}: not {TRAINING_DIGITS}+ IDX images of {DIGIT_SIZE}x{DIGIT_SIZE}")
    pixels = np.frombuffer(raw, dtype=np.uint8, count=TRAINING_DIGITS * rows * cols, offset=16)
    digits = torch.from_numpy(pixels.copy()).view(TRAINING_DIGITS, 1, rows, cols).float() / 127.5 - 1.0
    return F.pad(digits, (PADDING,) * 4, value=-1.0)


def write_samples(images, prefix):
    """images: (64, 1, 32, 32) in [-1, 1] -> prefix.npy, uint8 (64, 28, 28) with the
    padding cut off, and prefix.pgm, the same digits as an 8x8 grid."""
    digits = images[:, 0, PADDING:PADDING + DIGIT_SIZE, PADDING:PADDING + DIGIT_SIZE]
    digits = ((digits.clamp(-1.0, 1.0) + 1.0) * 127.5).round().to(torch.uint8).numpy()  # (64, 28, 28)
    np.save(prefix + ".npy", digits)
    side = math.isqrt(len(digits))
    grid = digits.reshape(side, side, DIGIT_SIZE, DIGIT_SIZE).transpose(0, 2, 1, 3)  # (row, y, column, x)
    grid = grid.reshape(side * DIGIT_SIZE, side * DIGIT_SIZE)
    with open(prefix + ".pgm", "wb") as f:
        f.write(b"P5 %d %d 255\n" % (grid.shape[1], grid.shape[0]) + grid.tobytes())


# ---- modes ----

def run_bench(model, args, generator):
    """Time training steps on random images and, optionally, DDIM-50 sampling."""
    batch = args.batch or BENCH_BATCH
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-4)
    images = torch.randn(batch, 1, IMAGE_SIZE, IMAGE_SIZE, generator=generator)  # (batch, 1, 32, 32)

    def step():
        loss = noise_prediction_loss(model, images, generator)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    for _ in range(WARM_UP_STEPS):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    seconds_per_step = (time.perf_counter() - start) / args.steps
    print(f"train threads={args.threads} batch={batch} step_ms={seconds_per_step * 1000:.1f} "
          f"images_per_s={batch / seconds_per_step:.1f}", flush=True)

    if args.sample_seconds:
        model.eval()
        start = time.perf_counter()
        sample_ddim(model, SAMPLE_COUNT, torch.Generator().manual_seed(args.seed + 1))
        print(f"ddim50 n={SAMPLE_COUNT} seconds={time.perf_counter() - start:.2f}", flush=True)


def run_training(model, args, generator):
    """Train for args.train_seconds, then sample from the EMA weights into args.out.*"""
    folder = Path(args.data) if args.data else default_data_folder()
    if folder is None:
        sys.exit("reference_ddpm.py: the shipped digits were not found; give --data FOLDER")
    digits = load_digits(folder)  # (9000, 1, 32, 32)
    batch = args.batch or TRAIN_BATCH
    ema = copy.deepcopy(model).requires_grad_(False)
    optimizer = torch.optim.AdamW(model.parameters(), lr=4e-4)
    step = 0
    start = time.monotonic()
    while time.monotonic() - start < args.train_seconds:
        chosen = torch.randint(0, len(digits), (batch,), generator=generator)
        loss = noise_prediction_loss(model, digits[chosen], generator)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        decay = min(0.999, (1 + step) / (10 + step))  # a short average while the weights move fast
        with torch.no_grad():
            for averaged, current in zip(ema.parameters(), model.parameters()):
                averaged.mul_(decay).add_(current, alpha=1.0 - decay)
        step += 1
        if step % 100 == 0:
            print(f"step {step} t={time.monotonic() - start:.0f}s loss={loss.item():.4f}", flush=True)
    print(f"trained steps={step} seconds={time.monotonic() - start:.0f}", flush=True)
    write_samples(sample_ddim(ema.eval(), SAMPLE_COUNT, torch.Generator().manual_seed(args.seed + 1)), args.out)
    print(f"wrote {args.out}.npy {args.out}.pgm", flush=True)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--bench", action="store_true", help="time training steps (and with --sample-seconds, sampling)")
    mode.add_argument("--train-seconds", type=float, metavar="S", help="train on the digits for S wall-clock seconds")
    parser.add_argument("--out", metavar="PREFIX", help="with --train-seconds: write PREFIX.npy and PREFIX.pgm")
    parser.add_argument("--sample-seconds", action="store_true", help="with --bench: also time DDIM-50 for 64 images")
    parser.add_argument("--threads", type=int, default=2, metavar="N", help="CPU threads for PyTorch (default 2)")
    parser.add_argument("--steps", type=int, default=20, metavar="N", help="with --bench: timed steps (default 20)")
    parser.add_argument("--batch", type=int, metavar="N",
                        help=f"batch size (default {BENCH_BATCH} with --bench, {TRAIN_BATCH} with --train-seconds)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the initial weights, noise and batches; sampling uses SEED+1 (default 0)")
    parser.add_argument("--data", metavar="FOLDER",
                        help=f"folder holding {IMAGES_FILE} (default: the digits shipped with DDPM Studio, "
                             "found from this script's location or $DDPM_STUDIO_DATA_DIR)")
    args = parser.parse_args()
    if args.train_seconds is not None and not args.out:
        parser.error("--train-seconds needs --out PREFIX")
    if args.sample_seconds and not args.bench:
        parser.error("--sample-seconds goes with --bench")
    if args.threads < 1 or args.steps < 1 or (args.batch is not None and args.batch < 1):
        parser.error("--threads, --steps and --batch must be positive")
    return args


def main():
    args = parse_arguments()
    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(args.seed)
    model = ReferenceUNet()
    initialise(model, generator)
    print(f"parameters={sum(p.numel() for p in model.parameters())}", flush=True)
    if args.bench:
        run_bench(model, args, generator)
    else:
        run_training(model, args, generator)


if __name__ == "__main__":
    main()
