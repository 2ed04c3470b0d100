#!/usr/bin/env python3
"""Embeds texts through `loupe serve` with the official `openai` Python client (as a user would) and
prints what the client returned, as JSON, for the end-to-end test to compare with the goldens.

usage: openai-client-check.py BASE_URL CASES_JSON_FILE
CASES_JSON_FILE: [{"text": ..., "task": ...}, ...]
"""
import base64
import json
import struct
import sys

from openai import OpenAI


def main() -> None:
    base_url, cases_path = sys.argv[1], sys.argv[2]
    with open(cases_path, encoding="utf-8") as f:
        cases = json.load(f)
    client = OpenAI(base_url=base_url + "/v1", api_key="not-needed", max_retries=0, timeout=120)
    results = []
    for case in cases:
        extra = {} if case["task"] == "none" else {"task": case["task"]}
        # dimensions + explicit base64: the client hands back the base64 string.
        r = client.embeddings.create(model="jina-embeddings-v3", input=[case["text"]], dimensions=32,
                                     encoding_format="base64", extra_body=extra)
        raw = base64.b64decode(r.data[0].embedding)
        as_base64 = list(struct.unpack("<%df" % (len(raw) // 4), raw))
        # The client's default: it asks for base64 itself and decodes to floats.
        d = client.embeddings.create(model="jina-embeddings-v3", input=case["text"], extra_body=extra)
        results.append({"base64_dim32": as_base64, "default": list(d.data[0].embedding),
                        "model": r.model, "prompt_tokens": r.usage.prompt_tokens})
    models = client.models.list()
    print(json.dumps({"results": results, "models": [m.id for m in models.data]}))


if __name__ == "__main__":
    main()
