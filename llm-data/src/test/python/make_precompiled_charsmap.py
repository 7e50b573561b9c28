#!/usr/bin/env python3
"""Writes the test fixture tokenizers/nmt_nfkc.charsmap: SentencePiece's precompiled
normalization map for the rule "nmt_nfkc", base64, as tokenizer.json's Precompiled normalizer
holds it. The map comes from a model that Debian's spm_train builds; no Python packages needed.

Run from llm-data: python3 src/test/python/make_precompiled_charsmap.py
"""
import base64
import os
import subprocess
import tempfile

TEXT = "Fellow citizens of the Senate and House of Representatives. \uff26\uff55\uff4c\uff4c width\n" * 40


def fields(buf):
    """(field number, wire type, value) of a protobuf message; lengths and varints only."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(buf, i)
        elif wire == 2:
            n, i = varint(buf, i)
            value, i = buf[i:i + n], i + n
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        else:
            raise ValueError("wire type %d" % wire)
        yield number, wire, value


def varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, i


def main():
    with tempfile.TemporaryDirectory() as tmp:
        text = os.path.join(tmp, "text.txt")
        with open(text, "w", encoding="utf-8") as f:
            f.write(TEXT)
        prefix = os.path.join(tmp, "m")
        subprocess.run(["spm_train", "--input=" + text, "--model_prefix=" + prefix, "--vocab_size=40", "--hard_vocab_limit=false",
                        "--normalization_rule_name=nmt_nfkc"], check=True, capture_output=True)
        with open(prefix + ".model", "rb") as f:
            model = f.read()
    spec = next(v for n, w, v in fields(model) if n == 3 and w == 2)  # ModelProto.normalizer_spec
    charsmap = next(v for n, w, v in fields(spec) if n == 2 and w == 2)  # NormalizerSpec.precompiled_charsmap
    out = os.path.join("src", "test", "resources", "tokenizers", "nmt_nfkc.charsmap")
    with open(out, "w") as f:
        f.write(base64.b64encode(charsmap).decode("ascii") + "\n")
    print("wrote %s (%d bytes of charsmap)" % (out, len(charsmap)))


if __name__ == "__main__":
    main()
