#!/usr/bin/env python3
"""Writes the golden files the Java tests compare against.

Builds tiny GPT-2 and Llama models in plain PyTorch, following the Hugging Face semantics
(GPT2LMHeadModel: Conv1D weights (in, out), gelu_new, tied lm_head; LlamaForCausalLM: nn.Linear
weights (out, in), RMSNorm, rotate_half rotary, repeat_kv grouped-query attention, SwiGLU),
with seeded random weights. Each model gets, in llm-core/src/test/resources/golden/:

  <name>.config.json    the model in llmj's config.json format
  <name>.safetensors    weights under Hugging Face names, plus golden.input_ids (B, T) int32,
                        golden.targets (B, T) int32 with -1 ignored, golden.logits (B, T, V) float32
                        and golden.loss () float32 (mean cross-entropy over non-ignored targets)

Weights are stored in float32 and the reference is computed in float64 from those float32 values.
Run: python3 llm-core/src/test/python/make_golden.py
"""
import json
import math
import os
import struct

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "golden")


def write_safetensors(path, tensors, metadata=None):
    header, blobs, offset = ({"__metadata__": metadata} if metadata else {}), [], 0
    for name, t in tensors.items():
        t = t.contiguous()
        dtype = {torch.float32: "F32", torch.int32: "I32"}[t.dtype]
        data = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def layer_norm(x, w, b, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * w + b


def rms_norm(x, w, eps=1e-5):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


def attention(q, k, v):
    """q (B, H, T, D), k/v (B, H, T, D): causal softmax attention."""
    t, d = q.shape[-2], q.shape[-1]
    s = q @ k.transpose(-1, -2) / math.sqrt(d)
    mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
    s = s.masked_fill(mask, float("-inf"))
    return torch.softmax(s, dim=-1) @ v


def gpt2_forward(w, cfg, ids):
    b, t = ids.shape
    c, h = cfg["dModel"], cfg["nHeads"]
    d = c // h
    p = "transformer."
    x = w[p + "wte.weight"][ids] + w[p + "wpe.weight"][torch.arange(t)]
    for i in range(cfg["nLayers"]):
        l = p + "h.%d." % i
        a = layer_norm(x, w[l + "ln_1.weight"], w[l + "ln_1.bias"])
        qkv = a @ w[l + "attn.c_attn.weight"] + w[l + "attn.c_attn.bias"]
        q, k, v = qkv.split(c, dim=-1)
        q, k, v = (z.view(b, t, h, d).transpose(1, 2) for z in (q, k, v))
        y = attention(q, k, v).transpose(1, 2).reshape(b, t, c)
        x = x + y @ w[l + "attn.c_proj.weight"] + w[l + "attn.c_proj.bias"]
        m = layer_norm(x, w[l + "ln_2.weight"], w[l + "ln_2.bias"])
        m = gelu_new(m @ w[l + "mlp.c_fc.weight"] + w[l + "mlp.c_fc.bias"])
        x = x + m @ w[l + "mlp.c_proj.weight"] + w[l + "mlp.c_proj.bias"]
    x = layer_norm(x, w[p + "ln_f.weight"], w[p + "ln_f.bias"])
    return x @ w[p + "wte.weight"].T  # tied lm_head


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def llama_forward(w, cfg, ids):
    b, t = ids.shape
    c, h, hkv = cfg["dModel"], cfg["nHeads"], cfg["nKvHeads"]
    d = c // h
    inv_freq = 1.0 / (cfg["ropeTheta"] ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
    freqs = torch.outer(torch.arange(t, dtype=torch.float64), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[None, None], emb.sin()[None, None]  # (1, 1, T, D)
    x = w["model.embed_tokens.weight"][ids]
    for i in range(cfg["nLayers"]):
        l = "model.layers.%d." % i
        a = rms_norm(x, w[l + "input_layernorm.weight"])
        q = (a @ w[l + "self_attn.q_proj.weight"].T).view(b, t, h, d).transpose(1, 2)
        k = (a @ w[l + "self_attn.k_proj.weight"].T).view(b, t, hkv, d).transpose(1, 2)
        v = (a @ w[l + "self_attn.v_proj.weight"].T).view(b, t, hkv, d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(h // hkv, dim=1)  # repeat_kv
        v = v.repeat_interleave(h // hkv, dim=1)
        y = attention(q, k, v).transpose(1, 2).reshape(b, t, c)
        x = x + y @ w[l + "self_attn.o_proj.weight"].T
        m = rms_norm(x, w[l + "post_attention_layernorm.weight"])
        g = torch.nn.functional.silu(m @ w[l + "mlp.gate_proj.weight"].T) * (m @ w[l + "mlp.up_proj.weight"].T)
        x = x + g @ w[l + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"])
    return x @ w["lm_head.weight"].T


def gpt2_shapes(cfg):
    v, n, c, f = cfg["vocabSize"], cfg["contextLength"], cfg["dModel"], cfg["ffnHidden"]
    p = "transformer."
    s = {p + "wte.weight": (v, c), p + "wpe.weight": (n, c)}
    for i in range(cfg["nLayers"]):
        l = p + "h.%d." % i
        s.update({l + "ln_1.weight": (c,), l + "ln_1.bias": (c,), l + "attn.c_attn.weight": (c, 3 * c),
                  l + "attn.c_attn.bias": (3 * c,), l + "attn.c_proj.weight": (c, c), l + "attn.c_proj.bias": (c,),
                  l + "ln_2.weight": (c,), l + "ln_2.bias": (c,), l + "mlp.c_fc.weight": (c, f),
                  l + "mlp.c_fc.bias": (f,), l + "mlp.c_proj.weight": (f, c), l + "mlp.c_proj.bias": (c,)})
    s.update({p + "ln_f.weight": (c,), p + "ln_f.bias": (c,)})
    return s


def llama_shapes(cfg):
    v, c, f = cfg["vocabSize"], cfg["dModel"], cfg["ffnHidden"]
    kv = cfg["nKvHeads"] * (c // cfg["nHeads"])
    s = {"model.embed_tokens.weight": (v, c)}
    for i in range(cfg["nLayers"]):
        l = "model.layers.%d." % i
        s.update({l + "input_layernorm.weight": (c,), l + "self_attn.q_proj.weight": (c, c),
                  l + "self_attn.k_proj.weight": (kv, c), l + "self_attn.v_proj.weight": (kv, c),
                  l + "self_attn.o_proj.weight": (c, c), l + "post_attention_layernorm.weight": (c,),
                  l + "mlp.gate_proj.weight": (f, c), l + "mlp.up_proj.weight": (f, c),
                  l + "mlp.down_proj.weight": (c, f)})
    s.update({"model.norm.weight": (c,), "lm_head.weight": (v, c)})
    return s


def random_weights(shapes, gen):
    w = {}
    for name, shape in shapes.items():
        if len(shape) == 1:  # norm gains near one, biases near zero
            base = 1.0 if name.endswith("norm.weight") or "ln_" in name and name.endswith(".weight") else 0.0
            w[name] = base + 0.1 * torch.randn(shape, generator=gen, dtype=torch.float64)
        else:
            w[name] = 0.2 * torch.randn(shape, generator=gen, dtype=torch.float64)
    # Round to float32 so the Java side loads exactly the values the reference used.
    return {k: t.float().double() for k, t in w.items()}


def make(name, cfg, shapes, forward, seed, b, t):
    gen = torch.Generator().manual_seed(seed)
    w = random_weights(shapes, gen)
    ids = torch.randint(0, cfg["vocabSize"], (b, t), generator=gen)
    targets = torch.randint(0, cfg["vocabSize"], (b, t), generator=gen)
    targets[0, 2] = -1
    targets[b - 1, t - 1] = -1
    with torch.no_grad():
        logits = forward(w, cfg, ids)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                                                 ignore_index=-1)
    tensors = {k: v.float() for k, v in w.items()}
    tensors["golden.input_ids"] = ids.int()
    tensors["golden.targets"] = targets.int()
    tensors["golden.logits"] = logits.float()
    tensors["golden.loss"] = loss.float().reshape(())
    write_safetensors(os.path.join(OUT, name + ".safetensors"), tensors)
    with open(os.path.join(OUT, name + ".config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    print("%s: loss %.6f, logits %s" % (name, loss.item(), tuple(logits.shape)))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_default_dtype(torch.float64)
    gpt2 = {"architecture": "gpt2", "vocabSize": 97, "contextLength": 16, "nLayers": 2, "nHeads": 3, "dModel": 24,
            "ffnHidden": 96, "tiedEmbeddings": True}
    llama = {"architecture": "llama", "vocabSize": 97, "contextLength": 16, "nLayers": 2, "nHeads": 4,
             "nKvHeads": 2, "dModel": 32, "ffnHidden": 40, "tiedEmbeddings": False, "ropeTheta": 10000.0}
    make("gpt2-tiny", gpt2, gpt2_shapes(gpt2), gpt2_forward, 1234, 2, 11)
    make("llama-tiny", llama, llama_shapes(llama), llama_forward, 5678, 2, 11)


if __name__ == "__main__":
    main()
