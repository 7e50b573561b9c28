#!/usr/bin/env python3
"""Writes golden.safetensors with the standard library only (struct + json).

Run from this directory: python3 make_golden_safetensors.py
The Java tests read the file back and also check that the Java writer reproduces it byte for byte.
"""
import json
import struct


def f32(values):
    return struct.pack("<%df" % len(values), *values)


def f64(values):
    return struct.pack("<%dd" % len(values), *values)


def f16(values):
    return struct.pack("<%de" % len(values), *values)


def bf16(values):
    # Values chosen to be exact in bfloat16, so truncating the float32 bits is exact.
    out = b""
    for v in values:
        out += struct.pack("<f", v)[2:4]
    return out


tensors = [
    ("a", "F32", [2, 3], f32([1.0, -2.5, 3.25, 0.0, 1e-3, -65504.0])),
    ("b", "F16", [6], f16([1.0, -2.0, 65504.0, 2.0 ** -24, float("inf"), -0.0])),
    ("c", "BF16", [2, 2], bf16([1.0, -3.0, 2.0 ** -130, 3.0e38])),
    ("d", "F64", [3], f64([0.1, -1e300, 2.0 ** -1074])),
    ("s", "F32", [], f32([7.0])),
]

header = {"__metadata__": {"format": "pt", "source": "make_golden_safetensors.py"}}
offset = 0
for name, dtype, shape, data in tensors:
    header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
    offset += len(data)
text = json.dumps(header, separators=(",", ":")).encode("utf-8")
text += b" " * (-len(text) % 8)

with open("golden.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    for _, _, _, data in tensors:
        f.write(data)
