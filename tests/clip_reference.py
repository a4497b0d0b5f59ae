#!/usr/bin/env python3
"""An independent reference for `ddpm encode-text --text clip:FOLDER`.

usage: clip_reference.py DDPM WORKDIR
       clip_reference.py make FOLDER   (a CLIP ViT-B/32-sized text model with random weights, for benchmarks)

It makes two small CLIP text models with random weights in the Hugging Face
folder layouts (a CLIPTextModelWithProjection with quick-GELU and float32 weights;
a CLIPModel with GELU, float16 weights, vision weights beside the text ones and
"!" as the padding token), with a byte-level BPE vocabulary it learns from text in
several scripts. Then it tokenizes and encodes prompts in ASCII, accented Latin,
CJK, Hangul, emoji and heavy punctuation with its own code (NumPy, in float64, and
the `regex` module for CLIP's split pattern, as OpenAI's simple_tokenizer does),
runs `ddpm encode-text` on the same prompts and compares: the token ids exactly,
the last hidden state and the pooled, projected output to 1e-5.

The tokenizer follows OpenAI's simple_tokenizer (which Hugging Face's CLIPTokenizer
reproduces) except for ftfy.fix_text and html.unescape, which the program does not
apply either (see core/conditioning/ClipTokenizer.h).
"""
import json
import math
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import regex

PATTERN = regex.compile(
    r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""",
    regex.IGNORECASE)
SPECIALS = ("<|startoftext|>", "<|endoftext|>")

CORPUS = [
    "a thick seven slanted right", "a thin seven", "the red apple and the green apple", "a cat's face",
    "it's the cat's pyjamas, isn't it? we'll see; they've gone", "café crème brûlée à la française, naïve façade",
    "東京タワーの夜景と東京の空", "서울의 밤 안녕하세요", "🍎🍏 red apple green apple 🍎", "ünïcödé ñandú straße",
    "100% sure!!! ... ?!? (really) [yes] {no} <maybe>", "3 apples 2 pears 1 banana 2024",
]

PROMPTS = [
    "a thick seven, slanted right!",
    "It's the Cat's pyjamas; don't we'll they've I'm you'd",
    "Café crème brûlée à la Française — naïve",
    "ÀÉÎÕÜ İstanbul ǅemal ΣΊΣΥΦΟΣ",
    "東京タワーの夜景 2024年",
    "안녕하세요 서울",
    "🍎🍏 red apple 👩‍👩‍👧 🇯🇵 ❤️",
    "...?!?! <<>> ((x)) $$$ 100% #1 @home ~~~",
    "  tabs\tand\u00a0nbsp\u2003em  space  ",
    "\x1f a\x1fb \x1c end \x1e",
    "3.14159 ٣٤ ½ ⅷ",
    "<|startoftext|>hello<|endoftext|> world",
    "a red apple " * 15,
]


def byte_alphabet():
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    table, extra = {}, 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


BYTES = byte_alphabet()


def clean(text):
    # OpenAI's basic_clean and whitespace_clean (less ftfy and html.unescape) with its `regex as re`.
    return regex.sub(r"\s+", " ", text.strip()).strip().lower()


def spelled(word):
    return "".join(BYTES[b] for b in word.encode("utf-8"))


def merge(symbols, pair):
    """symbols with every occurrence of pair, left to right, joined into one."""
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out


def learn_merges(texts, count):
    """Byte-pair encoding learned the classic way: merge the most frequent adjacent pair."""
    words = {}
    for text in texts:
        for word in PATTERN.findall(clean(text)):
            if word in SPECIALS:
                continue
            symbols = list(spelled(word))
            symbols[-1] += "</w>"
            words[tuple(symbols)] = words.get(tuple(symbols), 0) + 1
    merges = []
    for _ in range(count):
        pairs = {}
        for symbols, n in words.items():
            for pair in zip(symbols, symbols[1:]):
                pairs[pair] = pairs.get(pair, 0) + n
        if not pairs:
            break
        best = max(sorted(pairs), key=lambda p: pairs[p])
        merges.append(best)
        merged = {}
        for symbols, n in words.items():
            out = merge(symbols, best)
            merged[tuple(out)] = merged.get(tuple(out), 0) + n
        words = merged
    return merges


class Tokenizer:
    def __init__(self, folder):
        self.vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        lines = (folder / "merges.txt").read_text(encoding="utf-8").split("\n")
        lines = [l for i, l in enumerate(lines) if l and not (i == 0 and l.startswith("#version"))]
        self.ranks = {tuple(l.split(" ")): i for i, l in enumerate(lines)}
        pad = "<|endoftext|>"
        for name in ("special_tokens_map.json", "tokenizer_config.json"):
            if (folder / name).exists():
                value = json.loads((folder / name).read_text(encoding="utf-8")).get("pad_token")
                if value is not None:
                    pad = value if isinstance(value, str) else value["content"]
                    break
        self.start, self.end, self.pad = self.vocab["<|startoftext|>"], self.vocab["<|endoftext|>"], self.vocab[pad]

    def bpe(self, word):
        symbols = list(word[:-1]) + [word[-1] + "</w>"]
        while len(symbols) > 1:
            pairs = [(self.ranks.get(p, math.inf), p) for p in zip(symbols, symbols[1:])]
            rank, best = min(pairs)
            if rank == math.inf:
                break
            symbols = merge(symbols, best)
        return symbols

    def encode(self, text, context):
        ids = []
        for word in PATTERN.findall(clean(text)):
            if word in SPECIALS:
                ids.append(self.vocab[word])
                continue
            ids.extend(self.vocab.get(s, self.end) for s in self.bpe(spelled(word)))
        ids = [self.start] + ids[:context - 2] + [self.end]
        return ids + [self.pad] * (context - len(ids)), len(ids)


def write_safetensors(path, tensors, dtype):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, array in tensors.items():
        data = array.astype(np.float16 if dtype == "F16" else np.float32).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


# width, MLP width, heads, layers, positions, projection, vocabulary size (None: the learned vocabulary's)
SHAPES = {"small": (48, 96, 4, 2, 40, 24, None), "base": (512, 2048, 8, 12, 77, 512, 49408)}


def make_folder(folder, layout, rng, shape="small"):
    folder.mkdir(parents=True, exist_ok=True)
    merges = learn_merges(CORPUS, 400)
    tokens = list(BYTES.values()) + [b + "</w>" for b in BYTES.values()] + ["".join(m) for m in merges] + list(SPECIALS)
    (folder / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(tokens)}, ensure_ascii=False), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges), encoding="utf-8")
    D, F, H, layers, context, projection, V = SHAPES[shape]
    V = V or len(tokens)
    text = {"vocab_size": V, "hidden_size": D, "intermediate_size": F, "num_attention_heads": H,
            "num_hidden_layers": layers, "max_position_embeddings": context, "layer_norm_eps": 1e-5,
            "hidden_act": "quick_gelu" if layout == "text" else "gelu"}
    if layout == "text":
        config = dict(text, architectures=["CLIPTextModelWithProjection"], projection_dim=projection)
        (folder / "special_tokens_map.json").write_text(json.dumps({"pad_token": "<|endoftext|>"}))
    else:
        config = {"architectures": ["CLIPModel"], "projection_dim": projection, "text_config": text,
                  "vision_config": {"hidden_size": 16}}
        (folder / "tokenizer_config.json").write_text(json.dumps({"pad_token": {"content": "!"}}))
    (folder / "config.json").write_text(json.dumps(config, indent=2))

    def normal(*shape, mean=0.0, scale=0.2):
        return (rng.standard_normal(shape) * scale + mean).astype(np.float32)

    w = {"text_model.embeddings.token_embedding.weight": normal(V, D, scale=0.5),
         "text_model.embeddings.position_embedding.weight": normal(context, D, scale=0.5)}
    for i in range(layers):
        p = f"text_model.encoder.layers.{i}."
        for norm in ("layer_norm1", "layer_norm2"):
            w[p + norm + ".weight"], w[p + norm + ".bias"] = normal(D, mean=1, scale=0.1), normal(D, scale=0.1)
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            w[p + "self_attn." + proj + ".weight"], w[p + "self_attn." + proj + ".bias"] = normal(D, D), normal(D, scale=0.1)
        w[p + "mlp.fc1.weight"], w[p + "mlp.fc1.bias"] = normal(F, D), normal(F, scale=0.1)
        w[p + "mlp.fc2.weight"], w[p + "mlp.fc2.bias"] = normal(D, F), normal(D, scale=0.1)
    w["text_model.final_layer_norm.weight"], w["text_model.final_layer_norm.bias"] = normal(D, mean=1, scale=0.1), normal(D, scale=0.1)
    w["text_projection.weight"] = normal(projection, D)
    if layout == "clip":
        w["vision_model.embeddings.class_embedding"] = normal(16)
        w["logit_scale"] = np.array(2.6592, dtype=np.float32)
    write_safetensors(folder / "model.safetensors", w, "F32" if layout == "text" else "F16")
    return config.get("text_config", config)


def read_safetensors(path):
    raw = path.read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = np.float16 if info["dtype"] == "F16" else np.float32
        out[name] = np.frombuffer(raw[8 + n + start:8 + n + end], dtype=dtype).reshape(info["shape"]).astype(np.float64)
    return out


def layer_norm(x, weight, bias, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def reference_forward(w, cfg, ids):
    """ids (N,L) -> last hidden state (N,L,D): Hugging Face's CLIPTextTransformer, in float64."""
    N, L = ids.shape
    D, H = cfg["hidden_size"], cfg["num_attention_heads"]
    d = D // H
    erf = np.vectorize(math.erf)
    x = w["text_model.embeddings.token_embedding.weight"][ids] + w["text_model.embeddings.position_embedding.weight"][:L]
    causal = np.triu(np.full((L, L), -np.inf), 1)
    for i in range(cfg["num_hidden_layers"]):
        p = f"text_model.encoder.layers.{i}."
        lin = lambda h, name: h @ w[p + name + ".weight"].T + w[p + name + ".bias"]
        h = layer_norm(x, w[p + "layer_norm1.weight"], w[p + "layer_norm1.bias"], cfg["layer_norm_eps"])
        q = (lin(h, "self_attn.q_proj") * d ** -0.5).reshape(N, L, H, d).transpose(0, 2, 1, 3)
        k = lin(h, "self_attn.k_proj").reshape(N, L, H, d).transpose(0, 2, 1, 3)
        v = lin(h, "self_attn.v_proj").reshape(N, L, H, d).transpose(0, 2, 1, 3)
        scores = q @ k.transpose(0, 1, 3, 2) + causal
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        attention = scores / scores.sum(-1, keepdims=True)
        mixed = (attention @ v).transpose(0, 2, 1, 3).reshape(N, L, D)
        x = x + lin(mixed, "self_attn.out_proj")
        h = lin(layer_norm(x, w[p + "layer_norm2.weight"], w[p + "layer_norm2.bias"], cfg["layer_norm_eps"]), "mlp.fc1")
        h = h / (1 + np.exp(-1.702 * h)) if cfg["hidden_act"] == "quick_gelu" else 0.5 * h * (1 + erf(h / math.sqrt(2)))
        x = x + lin(h, "mlp.fc2")
    return layer_norm(x, w["text_model.final_layer_norm.weight"], w["text_model.final_layer_norm.bias"], cfg["layer_norm_eps"])


def run(ddpm, *args):
    done = subprocess.run([ddpm, "encode-text", *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"ddpm encode-text {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def check(ddpm, work, layout, seed):
    folder = work / f"clip-{layout}"
    cfg = make_folder(folder, layout, np.random.default_rng(seed))
    tokenizer, weights = Tokenizer(folder), read_safetensors(folder / "model.safetensors")
    prompts_file = work / "prompts.txt"
    prompts_file.write_text("\n".join(PROMPTS) + "\n", encoding="utf-8")
    text = f"clip:{folder}"
    failures = []
    for context in (cfg["max_position_embeddings"], 8):
        printed = run(ddpm, "--text", text, "--prompts", str(prompts_file), "--tokens", "--text-context", str(context))
        if len(printed.splitlines()) != len(PROMPTS):
            failures.append(f"{layout}, context {context}: {len(printed.splitlines())} lines of tokens for {len(PROMPTS)} prompts")
        for prompt, line in zip(PROMPTS, printed.splitlines()):
            ids, real = tokenizer.encode(prompt, context)
            if [int(t) for t in line.split()] != ids[:real]:
                failures.append(f"{layout}, context {context}: tokens of {prompt!r}: ddpm {line}, reference {ids[:real]}")
    context = cfg["max_position_embeddings"]
    run(ddpm, "--text", text, "--prompts", str(prompts_file), "-o", str(work / "hidden.npy"))
    run(ddpm, "--text", text, "--prompts", str(prompts_file), "--pooled", "-o", str(work / "pooled.npy"))
    encoded = [tokenizer.encode(p, context) for p in PROMPTS]
    ids = np.array([e[0] for e in encoded])
    hidden = reference_forward(weights, cfg, ids)
    pooled = hidden[np.arange(len(PROMPTS)), [e[1] - 1 for e in encoded]] @ weights["text_projection.weight"].T
    for name, reference in (("hidden", hidden), ("pooled", pooled)):
        got = np.load(work / f"{name}.npy")
        if got.shape != reference.shape:
            failures.append(f"{layout}: {name} shape {got.shape}, reference {reference.shape}")
            continue
        error = np.abs(got - reference).max()
        print(f"{layout}: {name} {got.shape}, largest difference {error:.2e}")
        if not error <= 1e-5:
            failures.append(f"{layout}: {name} differs by up to {error:.2e}")
    return failures


def main():
    if sys.argv[1] == "make":
        make_folder(Path(sys.argv[2]), "text", np.random.default_rng(0), "base")
        return
    ddpm, work = sys.argv[1], Path(sys.argv[2])
    work.mkdir(parents=True, exist_ok=True)
    failures = check(ddpm, work, "text", 1) + check(ddpm, work, "clip", 2)
    for failure in failures:
        print("FAIL " + failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
