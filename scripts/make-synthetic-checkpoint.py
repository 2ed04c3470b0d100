#!/usr/bin/env python3
"""Write a full-size jina-embeddings-v3 checkpoint with random weights, in the published layout.

The real weights (1.1 GB) cannot be downloaded on the development machines, but `loupe bench
--model DIR` should still measure the real loading path (mmap, header checks, packing, page
release) and the tokenizer on a checkpoint of the real size. This writes exactly what the Hub
has — config.json and side files, model.safetensors with the 492 bf16 tensors (572,310,396
parameters, 1,144,685,320 bytes) under their published names, and the reconstructed 250,002-piece
XLM-R tokenizer.json from the test fixtures — with random values instead of trained ones.

usage: scripts/make-synthetic-checkpoint.py OUT_DIR [--seed N]
Needs numpy. Embeddings from it are meaningless; speed and memory are what they are for.
"""
import argparse
import json
import lzma
import os
import shutil
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
D, F, LAYERS, HEADS, VOCAB, N, R = 1024, 4096, 24, 16, 250002, 5, 4
TASKS = ["retrieval.query", "retrieval.passage", "separation", "classification", "text-matching"]


def tensors():
    """(name, shape, scale) in the published order of names (sorted, as safetensors stores them)."""
    out = []
    P = ".parametrizations.weight"

    def lora(base, rows, cols, emb=False):
        if emb:  # embeddings: A [n, rows, r], B [n, r, cols]
            out.append((f"{base}{P}.0.lora_A", (N, rows, R), 0.05))
            out.append((f"{base}{P}.0.lora_B", (N, R, cols), 0.05))
        else:    # Linear [out=rows, in=cols]: A [n, r, in], B [n, out, r]
            out.append((f"{base}{P}.0.lora_A", (N, R, cols), 0.05))
            out.append((f"{base}{P}.0.lora_B", (N, rows, R), 0.05))

    for table, rows in (("word_embeddings", VOCAB), ("token_type_embeddings", 1)):
        base = f"roberta.embeddings.{table}"
        out.append((f"{base}{P}.original", (rows, D), 1.0 / D ** 0.5))
        lora(base, rows, D, emb=True)
    out.append(("roberta.emb_ln.weight", (D,), None))
    out.append(("roberta.emb_ln.bias", (D,), 0.0))
    for i in range(LAYERS):
        pre = f"roberta.encoder.layers.{i}."
        for name, rows, cols in (("mixer.Wqkv", 3 * D, D), ("mixer.out_proj", D, D), ("mlp.fc1", F, D), ("mlp.fc2", D, F)):
            out.append((f"{pre}{name}{P}.original", (rows, cols), 1.0 / cols ** 0.5))
            out.append((f"{pre}{name}.bias", (rows,), 0.02))
            lora(pre + name, rows, cols)
        for norm in ("norm1", "norm2"):
            out.append((f"{pre}{norm}.weight", (D,), None))
            out.append((f"{pre}{norm}.bias", (D,), 0.0))
    out.append(("roberta.pooler.dense.parametrizations.weight.original", (D, D), 1.0 / D ** 0.5))
    out.append(("roberta.pooler.dense.bias", (D,), 0.02))
    lora("roberta.pooler.dense", D, D)
    return sorted(out, key=lambda t: t[0])


def bf16(values):
    """float32 array -> bf16 bit patterns (round to nearest even), little-endian bytes."""
    u = values.astype(np.float32).view(np.uint32)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return u.astype("<u2").tobytes()


def write_safetensors(path, rng):
    specs = tensors()
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, shape, _ in specs:
        size = int(np.prod(shape)) * 2
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)  # data section 8-byte aligned, like the reference writer
    params = sum(int(np.prod(s)) for _, s, _ in specs)
    with open(path + ".part", "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for name, shape, scale in specs:
            count = int(np.prod(shape))
            if scale is None:          # LayerNorm gains
                v = np.ones(count, np.float32)
            elif scale == 0.0:         # LayerNorm biases
                v = np.zeros(count, np.float32)
            else:                      # chunks keep memory flat for the 256M-value tables
                for start in range(0, count, 1 << 24):
                    n = min(1 << 24, count - start)
                    f.write(bf16(rng.standard_normal(n, dtype=np.float32) * scale))
                continue
            f.write(bf16(v))
    os.replace(path + ".part", path)
    return len(specs), params, os.path.getsize(path)


def write_tokenizer_config(template, tokenizer_json, out):
    """tokenizer_config.json in the published layout: the fixture's settings, with the added tokens
    (ids and flags) taken from the 250k tokenizer.json itself, so <mask> sits at 250001 as published."""
    config = json.load(open(template))
    added = json.load(open(tokenizer_json))["added_tokens"]
    config["added_tokens_decoder"] = {
        str(t["id"]): {k: t[k] for k in ("content", "lstrip", "normalized", "rstrip", "single_word", "special")}
        for t in sorted(added, key=lambda t: t["id"])}
    with open(out, "w") as f:
        json.dump(config, f, indent=2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    fixtures = os.path.join(REPO, ".fixtures", "jina-e2e")
    if not os.path.isdir(fixtures):
        sys.exit(f"{fixtures} is missing: run `make fixtures` first (it holds the side files)")

    config = json.load(open(os.path.join(fixtures, "config.json")))
    config.update(hidden_size=D, intermediate_size=F, num_hidden_layers=LAYERS, num_attention_heads=HEADS,
                  vocab_size=VOCAB, max_position_embeddings=8194, rotary_emb_base=20000.0,
                  matryoshka_dimensions=[32, 64, 128, 256, 512, 768, 1024], lora_adaptations=TASKS,
                  lora_rank=R, lora_alpha=1)
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    for side in ("config_sentence_transformers.json", "modules.json", "special_tokens_map.json"):
        if os.path.exists(os.path.join(fixtures, side)):
            shutil.copy(os.path.join(fixtures, side), args.out)
    pooling = os.path.join(fixtures, "1_Pooling")
    if os.path.isdir(pooling):
        shutil.copytree(pooling, os.path.join(args.out, "1_Pooling"), dirs_exist_ok=True)
        cfg = os.path.join(args.out, "1_Pooling", "config.json")
        if os.path.exists(cfg):
            pool = json.load(open(cfg))
            pool["word_embedding_dimension"] = D
            json.dump(pool, open(cfg, "w"), indent=2)
    with lzma.open(os.path.join(REPO, "Tests", "Fixtures", "xlmr-250k-tokenizer.json.xz")) as src, \
            open(os.path.join(args.out, "tokenizer.json"), "wb") as dst:
        shutil.copyfileobj(src, dst)
    write_tokenizer_config(os.path.join(fixtures, "tokenizer_config.json"), os.path.join(args.out, "tokenizer.json"),
                           os.path.join(args.out, "tokenizer_config.json"))

    count, params, size = write_safetensors(os.path.join(args.out, "model.safetensors"),
                                            np.random.default_rng(args.seed))
    print(f"{args.out}: {count} bf16 tensors, {params:,} parameters, model.safetensors {size:,} bytes")


if __name__ == "__main__":
    main()
