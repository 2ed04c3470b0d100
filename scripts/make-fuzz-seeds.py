#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz harnesses into Tests/FuzzCorpus/<harness>/seed-*.

Seeds are derived from the unpacked test fixtures (`make fixtures`: copies of ../shared/fixtures) and the
samples, kept to kilobytes each. Inputs of crashes found by `make fuzz` live next to them as crash-*
(written by hand from libFuzzer's artifacts, never by this script). Rerunning replaces seed-* only.

Input layouts (see Sources/FuzzHarness):
  safetensors         a whole .safetensors file
  model-config        checkpoint byte (even: jina-tiny, odd: tiny BERT), then config.json, sentence_bert_config.json,
                      tokenizer_config.json, modules.json, 1_Pooling/config.json separated by NUL bytes
  tokenizer-json      a tokenizer.json
  tokenize-*          truncation byte, then the text
  corpus              format byte (index into lines, jsonLines, csv, tsv, detect; +0x80: --field body), piece byte, file
  server-request      route byte (0 /v1/embeddings, 1 /embed, 2 /tokenize, modulo 3), then the request body
"""
import json
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, ".fixtures")
OUT = os.path.join(ROOT, "Tests", "FuzzCorpus")


def write(harness, name, data):
    folder = os.path.join(OUT, harness)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    assert len(data) <= 16384, (harness, name, len(data))
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data)


def clear_seeds():
    if not os.path.isdir(OUT):
        return
    for harness in os.listdir(OUT):
        for name in os.listdir(os.path.join(OUT, harness)):
            if name.startswith("seed-"):
                os.remove(os.path.join(OUT, harness, name))


def read(*parts, mode="r"):
    with open(os.path.join(*parts), mode) as f:
        return f.read()


# --- safetensors -------------------------------------------------------------------------------------

def safetensors(entries, metadata=None):
    """entries: (name, dtype, shape, raw bytes) → file image."""
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in entries:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(h)) + h + data


def safetensors_seeds():
    f32 = lambda xs: struct.pack("<%df" % len(xs), *xs)
    write("safetensors", "dtypes", safetensors([
        ("a", "F32", [2, 2], f32([1, -2.5, 3.25, 0])), ("h", "F16", [2], bytes([0, 0x3E, 0, 0xC0])),
        ("b", "BF16", [3], bytes([0xC0, 0x3F, 0, 0xC0, 0, 0])), ("u", "U8", [1], b"\x07"),
        ("i", "I64", [1], struct.pack("<q", -3)), ("s", "F32", [], f32([5])), ("z", "F32", [0, 4], b""),
    ], {"format": "pt"}))
    # jina-tiny's small tensors (norms, biases) with their real names and values.
    blob = read(FIX, "jina-tiny", "model.safetensors", mode="rb")
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    picked = []
    for name in sorted(k for k in header if k != "__metadata__"):
        t = header[name]
        b, e = t["data_offsets"]
        if e - b <= 256 and len(picked) < 24:
            picked.append((name, t["dtype"], t["shape"], blob[8 + n + b:8 + n + e]))
    write("safetensors", "jina-tiny-small-tensors", safetensors(picked, header.get("__metadata__")))
    bf16 = read(FIX, "jina-tiny-bf16", "model.safetensors", mode="rb")
    n = struct.unpack("<Q", bf16[:8])[0]
    header = json.loads(bf16[8:8 + n])
    picked = [(k, v["dtype"], v["shape"], bf16[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]])
              for k, v in sorted(header.items()) if k != "__metadata__" and v["data_offsets"][1] - v["data_offsets"][0] <= 128][:16]
    write("safetensors", "jina-tiny-bf16-small-tensors", safetensors(picked))


# --- model-config ------------------------------------------------------------------------------------

TINY_BERT = {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": 32, "num_hidden_layers": 1,
             "num_attention_heads": 2, "intermediate_size": 64, "vocab_size": 64, "max_position_embeddings": 40,
             "type_vocab_size": 2, "pad_token_id": 0, "hidden_act": "gelu", "layer_norm_eps": 1e-12,
             "position_embedding_type": "absolute"}


def config_input(checkpoint, files):
    return bytes([checkpoint]) + b"\0".join(f.encode() if isinstance(f, str) else f for f in files)


def model_config_seeds():
    jina = os.path.join(FIX, "jina-tiny")
    tokenizer_config = json.dumps({"model_max_length": json.loads(read(jina, "tokenizer_config.json"))["model_max_length"]})
    write("model-config", "jina-tiny", config_input(0, [read(jina, "config.json"), "", tokenizer_config,
                                                        read(jina, "modules.json"), read(jina, "1_Pooling", "config.json")]))
    write("model-config", "jina-tiny-config-only", config_input(0, [read(jina, "config.json")]))
    pooling = {"word_embedding_dimension": 32, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
               "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False}
    modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
    write("model-config", "tiny-bert", config_input(1, [json.dumps(TINY_BERT), json.dumps({"max_seq_length": 32}), "",
                                                        json.dumps(modules), json.dumps(pooling)]))
    roberta = dict(TINY_BERT, model_type="xlm-roberta", pad_token_id=1)
    cls = dict(pooling, pooling_mode_cls_token=True, pooling_mode_mean_tokens=False)
    write("model-config", "tiny-roberta-cls", config_input(1, [json.dumps(roberta), "", json.dumps({"model_max_length": 512}),
                                                               json.dumps(modules), json.dumps(cls)]))
    write("model-config", "jina-config-on-bert-checkpoint", config_input(1, [read(jina, "config.json")]))


# --- tokenizer-json ----------------------------------------------------------------------------------

def darts(mapping):
    """A darts-clone double array of UTF-8 keys → byte offsets into the NUL-separated replacements, as
    SentencePiece's precompiled charsmap stores it: [u32 trie size][units][replacements]."""
    replacements, offsets = b"", {}
    for key, value in mapping.items():
        offsets[key] = len(replacements)
        replacements += value.encode() + b"\0"
    trie = {}
    for key in mapping:
        node = trie
        for byte in key.encode():
            node = node.setdefault(byte, {})
        node[None] = offsets[key]
    units, used, bases = {0: 0}, {0}, set()

    def place(node, pos):
        labels = sorted(k for k in node if k is not None)
        need = labels + ([0] if None in node else [])
        base = 1
        while base in bases or any(base ^ c in used for c in need):
            base += 1
        bases.add(base)
        used.update(base ^ c for c in need)
        units[pos] = units.get(pos, 0) | ((pos ^ base) << 10) | ((1 << 8) if None in node else 0)
        if None in node:
            units[base] = (1 << 31) | node[None]
        for c in labels:
            units[base ^ c] = c
            place(node[c], base ^ c)

    place(trie, 0)
    size = max(units) + 1
    array = b"".join(struct.pack("<I", units.get(i, 0)) for i in range(size))
    return struct.pack("<I", len(array)) + array + replacements


def unigram_tokenizer(vocab_size=300, normalizer="full", prepend="always"):
    import base64
    src = json.loads(read(FIX, "tokenizer", "xlmr-small", "tokenizer.json"))
    vocab = src["model"]["vocab"][:vocab_size] + [["<mask>", 0.0]]
    charsmap = darts({"\u00a0": " ", "\uff21": "A", "\ufb01": "fi", "\u2026": "...", "\u200b": "", "\uff76": "\u30ab",
                      "e\u0301": "\u00e9", "\u2460": "1"})
    norms = {"full": {"type": "Sequence", "normalizers": [
                 {"type": "Precompiled", "precompiled_charsmap": base64.b64encode(charsmap).decode()},
                 {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]},
             "none": None,
             "lowercase": {"type": "Sequence", "normalizers": [{"type": "Lowercase"},
                                                              {"type": "Replace", "pattern": {"String": "''"}, "content": "\""}]}}
    mask = len(vocab) - 1
    added = [{"id": i, "content": c, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False,
              "special": True} for i, c in enumerate(["<s>", "<pad>", "</s>", "<unk>"])]
    added.append({"id": mask, "content": "<mask>", "single_word": False, "lstrip": True, "rstrip": False,
                  "normalized": False, "special": True})
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
            "normalizer": norms[normalizer],
            "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": prepend, "split": True},
            "post_processor": src["post_processor"], "decoder": src["decoder"],
            "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": False}}


def wordpiece_tokenizer(words=250, processing="template"):
    src = json.loads(read(FIX, "tokenizer", "minilm", "tokenizer.json"))
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    text = read(ROOT, "samples", "faq.txt").lower()
    common = []
    for w in "".join(c if c.isalnum() else " " for c in text).split():
        if w not in common and len(common) < words:
            common.append(w)
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)] + list("0123456789.,!?'-") + ["中", "文", "é"]
    pieces = specials + letters + ["##" + c for c in letters[:36]] + ["##s", "##ing", "##ed"] + common
    vocab = {}
    for p in pieces:
        vocab.setdefault(p, len(vocab))
    added = [{"id": vocab[s], "content": s, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for s in specials]
    if processing == "template":
        post = {"type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                           {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                "pair": [], "special_tokens": {s: {"id": s, "ids": [vocab[s]], "tokens": [s]} for s in ["[CLS]", "[SEP]"]}}
        pre, norm = src["pre_tokenizer"], src["normalizer"]
    else:
        post = {"type": "BertProcessing", "sep": ["[SEP]", vocab["[SEP]"]], "cls": ["[CLS]", vocab["[CLS]"]]}
        pre, norm = {"type": "WhitespaceSplit"}, {"type": "Lowercase"}
    return {"version": "1.0", "truncation": {"direction": "Right", "max_length": 16, "strategy": "LongestFirst", "stride": 0},
            "padding": {"strategy": {"Fixed": 16}, "direction": "Right", "pad_to_multiple_of": None, "pad_id": 0,
                        "pad_type_id": 0, "pad_token": "[PAD]"},
            "added_tokens": added, "normalizer": norm, "pre_tokenizer": pre, "post_processor": post,
            "decoder": src["decoder"],
            "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                      "max_input_chars_per_word": 100, "vocab": vocab}}


def tokenizer_json_seeds():
    dump = lambda t: json.dumps(t, ensure_ascii=False, separators=(",", ":"))
    write("tokenizer-json", "unigram-precompiled", dump(unigram_tokenizer()))
    write("tokenizer-json", "unigram-plain-first", dump(unigram_tokenizer(120, normalizer="none", prepend="first")))
    write("tokenizer-json", "unigram-lowercase", dump(unigram_tokenizer(80, normalizer="lowercase", prepend="never")))
    write("tokenizer-json", "wordpiece-bert", dump(wordpiece_tokenizer()))
    write("tokenizer-json", "wordpiece-bertprocessing", dump(wordpiece_tokenizer(60, processing="bert")))


# --- tokenize-* and corpus ---------------------------------------------------------------------------

def sample_texts():
    texts = []
    for line in read(ROOT, "samples", "multilingual.jsonl").splitlines():
        texts.append(json.loads(line)["text"])
    return texts


def tokenize_seeds():
    for harness, fixture in [("tokenize-unigram", "xlmr-250k"), ("tokenize-wordpiece", "minilm")]:
        cases = json.loads(read(FIX, "tokenizer", fixture, "cases.json"))["cases"]
        seen = set()
        for i, case in enumerate(cases):
            category = case.get("category", "case").split(":")[0]
            text = case["text"].encode("utf-8", "surrogatepass")
            if category in seen or len(text) > 1500:
                continue
            seen.add(category)
            write(harness, "case-%s" % category, bytes([i % 64]) + text)
        for i, text in enumerate(sample_texts()[::12]):
            write(harness, "sample-%02d" % i, bytes([(7 * i) % 64]) + text.encode())
        write(harness, "invalid-utf8", bytes([5]) + b"ok \xff\xfe caf\xc3 \xe2\x82 end\r\n\x00\x01 <mask> [MASK]")
        # Long inputs (libFuzzer starts its length limit at the longest seed): several truncation windows.
        texts = sample_texts()
        for i in range(3):
            paragraph = "  ".join(texts[i::3][:70]) + " <mask> [SEP] " + "\u00a0\u200b\ufb01 e\u0301 " * 8
            write(harness, "paragraph-%d" % i, bytes([2 + 20 * i]) + paragraph.encode()[:3500])


def corpus_seeds():
    lines, jsonl, csv, tsv, detect = 0, 1, 2, 3, 4
    field = 0x80
    faq = read(ROOT, "samples", "faq.txt").encode()[:3000]
    topics = read(ROOT, "samples", "topics.jsonl").encode()[:3000]
    write("corpus", "faq-lines", bytes([lines, 0]) + faq)
    write("corpus", "topics-jsonl", bytes([jsonl, 1]) + topics)
    write("corpus", "topics-stdin", bytes([detect, 2]) + topics)
    write("corpus", "faq-stdin", bytes([detect, 3]) + b"\n\n" + faq)
    rows = ["id,text,lang\r\n", '1,"Hello, world",en\r\n', '2,"She said ""hi""\nand left",en\r\n', "3,,en\r\n",
            "4,plain text,fr\r\n", "\r\n", '5,"trailing quote" after,de\r\n', '6,unquoted "inner" quote,en']
    write("corpus", "csv-quoting", bytes([csv, 0]) + "".join(rows).encode())
    write("corpus", "csv-bom-field", bytes([csv | field, 1]) + b"\xef\xbb\xbftitle,body\nA,first\nB,\"second\r\nline\"\n")
    write("corpus", "csv-unterminated", bytes([csv, 2]) + b'text\nok\n"never closed\nmore\n')
    write("corpus", "tsv", bytes([tsv, 3]) + b"title\ttext\nA\t\"tab\there\"\nB\tsecond\r\nC\n")
    write("corpus", "jsonl-errors", bytes([jsonl, 0]) + b'{"text": "ok"}\n{"text": null}\n\n{"text": 3}\n{not json\n')
    write("corpus", "jsonl-field", bytes([jsonl | field, 1]) + b'{"body": "x \\u00e9 \\ud83d\\ude00"}\n{"text": "y"}\n')
    write("corpus", "invalid-utf8", bytes([lines, 2]) + b"good\nbad \xff and \xe2\x82 end\nover\xc0\xaf \xef\xbf\xbd real\r\n  \n")
    write("corpus", "bom-only", bytes([lines, 1]) + b"\xef\xbb")


def server_request_seeds():
    """Bodies from the serve contract: the Jina and OpenAI shapes, TEI's /embed and /tokenize, and refusals."""
    embeddings, embed, tokenize = 0, 1, 2
    bodies = {
        "openai-string": (embeddings, {"input": "hello world", "model": "jina-embeddings-v3"}),
        "openai-base64": (embeddings, {"input": ["a", "b"], "encoding_format": "base64", "user": "u"}),
        "openai-ids": (embeddings, {"input": [[0, 35377, 2], [0, 6, 2]], "dimensions": 256}),
        "openai-flat-ids": (embeddings, {"input": [0, 17, 2]}),
        "jina-task-types": (embeddings, {"input": [{"text": "café ☕"}, {"text": "x"}], "task": "retrieval.query",
                                         "dimensions": 64, "embedding_type": ["float", "binary", "ubinary", "base64"],
                                         "normalized": True}),
        "jina-late-chunking": (embeddings, {"input": ["one chunk.", "two chunk."], "task": "retrieval.passage",
                                            "late_chunking": True, "truncate": True}),
        "jina-image": (embeddings, {"input": [{"image": "https://example.invalid/x.png"}]}),
        "mixed-kinds": (embeddings, {"input": ["text", [1, 2]]}),
        "bad-dimensions": (embeddings, {"input": "x", "dimensions": 100}),
        "bad-task": (embeddings, {"input": "x", "task": "summarization"}),
        "too-many": (embeddings, {"input": ["x"] * 9}),
        "tei-embed": (embed, {"inputs": ["What is Deep Learning?"], "normalize": True, "prompt_name": "separation",
                              "truncate": False, "truncation_direction": "right"}),
        "tei-left": (embed, {"inputs": "x", "truncation_direction": "left"}),
        "tokenize": (tokenize, {"inputs": ["héllo wörld", "test"], "add_special_tokens": False,
                                "prompt_name": "retrieval.query"}),
    }
    for name, (route, body) in bodies.items():
        write("server-request", name, bytes([route]) + json.dumps(body, ensure_ascii=False).encode())
    write("server-request", "not-json", bytes([embeddings]) + b'{"input": "x",')
    write("server-request", "not-object", bytes([embed]) + b'["x"]')
    write("server-request", "invalid-utf8", bytes([tokenize]) + b'{"inputs": "\xff\xfe"}' + b"\xff")
    write("server-request", "huge-number", bytes([embeddings]) + b'{"input": [[1e400, -0.0, 3.5]], "dimensions": 1e300}')


if __name__ == "__main__":
    if not os.path.isdir(FIX):
        sys.exit("run `make fixtures` first")
    clear_seeds()
    safetensors_seeds()
    model_config_seeds()
    tokenizer_json_seeds()
    tokenize_seeds()
    corpus_seeds()
    server_request_seeds()
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
    print("seeds written to %s (%d KB)" % (OUT, total // 1024))
