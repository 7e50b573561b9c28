#!/usr/bin/env python3
"""Writes Hugging Face model folders of the rotary families with golden logits for the Java tests.

Each model is a tiny random-weight decoder written from the published architectures in plain PyTorch
(no transformers package):

  llama     LlamaForCausalLM: RMSNorm x * w, rotate_half rotary positions, repeat_kv grouped-query
            attention, SwiGLU MLP; rope_scaling "linear" (frequencies / factor) or "llama3" (Llama 3.1:
            wavelengths above original / low_freq_factor divided by factor, below original /
            high_freq_factor kept, a linear blend between); tied embeddings (SmolLM, TinyLlama shapes)
  mistral   Llama's block; sliding_window W: query i attends keys i - W < j <= i
  qwen2     Llama's block with biases on q_proj, k_proj, v_proj (none on o_proj)
  qwen3     Llama's block with RMSNorm over each head of q and k (q_norm, k_norm) before the rotation,
            head_dim * heads != hidden_size
  gemma     embeddings * sqrt(hidden_size), RMSNorm x * (1 + w), GeGLU with the tanh GELU,
            head_dim * heads != hidden_size, multi-query attention, tied lm_head

For each model, llm-core/src/test/resources/golden/families/<name>/ gets
  config.json          the Hugging Face config, with keys a real checkpoint carries
  model.safetensors    float32 weights under Hugging Face names
  golden.safetensors   input_ids (B, T) int32 and logits (B, T, V) float32

The weights are random float32 values; the reference runs in float64 on exactly those values.
Run: /usr/bin/python3 llm-core/src/test/python/golden_families.py
"""
import json
import math
import os

import torch

from make_golden import write_safetensors  # the same folder

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "golden", "families")


def head_dim(cfg):
    return cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]


def inverse_frequencies(cfg):
    d = head_dim(cfg)
    inv = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
    r = cfg.get("rope_scaling")
    if r is None:
        return inv
    kind = r.get("rope_type", r.get("type"))  # older configs say "type"
    if kind == "linear":
        return inv / r["factor"]
    assert kind == "llama3", kind
    factor, low, high = r["factor"], r["low_freq_factor"], r["high_freq_factor"]
    original = r["original_max_position_embeddings"]
    out = []
    for f in inv.tolist():
        wavelength = 2 * math.pi / f
        if wavelength < original / high:
            out.append(f)
        elif wavelength > original / low:
            out.append(f / factor)
        else:
            s = (original / wavelength - low) / (high - low)
            out.append((1 - s) * f / factor + s * f)
    return torch.tensor(out, dtype=torch.float64)


def rms_norm(x, w, eps, offset):
    y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
    return y * (1.0 + w) if offset else y * w


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


def forward(w, cfg, ids):
    kind = cfg["model_type"]
    b, t = ids.shape
    c, h, hkv, d = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"], head_dim(cfg)
    eps, gemma = cfg["rms_norm_eps"], kind == "gemma"
    freqs = torch.outer(torch.arange(t, dtype=torch.float64), inverse_frequencies(cfg))
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[None, None], emb.sin()[None, None]  # (1, 1, T, D)
    i = torch.arange(t)[:, None]
    j = torch.arange(t)[None, :]
    hidden = j > i
    window = cfg.get("sliding_window") if kind == "mistral" else None
    if window:
        hidden = hidden | (j <= i - window)
    x = w["model.embed_tokens.weight"][ids]
    if gemma:
        x = x * math.sqrt(c)
    for layer in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % layer

        def proj(a, name):
            y = a @ w[p + name + ".weight"].T
            bias = w.get(p + name + ".bias")
            return y if bias is None else y + bias

        a = rms_norm(x, w[p + "input_layernorm.weight"], eps, gemma)
        q = proj(a, "self_attn.q_proj").view(b, t, h, d)
        k = proj(a, "self_attn.k_proj").view(b, t, hkv, d)
        v = proj(a, "self_attn.v_proj").view(b, t, hkv, d)
        if kind == "qwen3":
            q = rms_norm(q, w[p + "self_attn.q_norm.weight"], eps, False)
            k = rms_norm(k, w[p + "self_attn.k_norm.weight"], eps, False)
        q, k, v = (z.transpose(1, 2) for z in (q, k, v))  # (B, heads, T, D)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(h // hkv, dim=1)
        v = v.repeat_interleave(h // hkv, dim=1)
        s = (q @ k.transpose(-1, -2) / math.sqrt(d)).masked_fill(hidden, float("-inf"))
        y = (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(b, t, h * d)
        x = x + proj(y, "self_attn.o_proj")
        m = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps, gemma)
        gate = proj(m, "mlp.gate_proj")
        act = gelu_tanh(gate) if gemma else torch.nn.functional.silu(gate)
        x = x + proj(act * proj(m, "mlp.up_proj"), "mlp.down_proj")
    x = rms_norm(x, w["model.norm.weight"], eps, gemma)
    out = w["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ out.T


def shapes(cfg):
    kind = cfg["model_type"]
    v, c, f = cfg["vocab_size"], cfg["hidden_size"], cfg["intermediate_size"]
    d = head_dim(cfg)
    q, kv = cfg["num_attention_heads"] * d, cfg["num_key_value_heads"] * d
    s = {"model.embed_tokens.weight": (v, c)}
    for layer in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % layer
        s[p + "input_layernorm.weight"] = (c,)
        for name, rows in (("q", q), ("k", kv), ("v", kv)):
            s[p + "self_attn.%s_proj.weight" % name] = (rows, c)
            if kind == "qwen2":
                s[p + "self_attn.%s_proj.bias" % name] = (rows,)
        if kind == "qwen3":
            s[p + "self_attn.q_norm.weight"] = (d,)
            s[p + "self_attn.k_norm.weight"] = (d,)
        s[p + "self_attn.o_proj.weight"] = (c, q)
        s[p + "post_attention_layernorm.weight"] = (c,)
        s[p + "mlp.gate_proj.weight"] = (f, c)
        s[p + "mlp.up_proj.weight"] = (f, c)
        s[p + "mlp.down_proj.weight"] = (c, f)
    s["model.norm.weight"] = (c,)
    if not cfg["tie_word_embeddings"]:
        s["lm_head.weight"] = (v, c)
    return s


def random_weights(cfg, gen):
    w = {}
    gemma = cfg["model_type"] == "gemma"
    for name, shape in shapes(cfg).items():
        if name.endswith("norm.weight"):  # gains near one; Gemma stores the offset from one
            w[name] = (0.0 if gemma and "_norm." not in name else 1.0) + 0.1 * torch.randn(shape, generator=gen)
        elif len(shape) == 1:
            w[name] = 0.1 * torch.randn(shape, generator=gen)
        else:
            w[name] = 0.2 * torch.randn(shape, generator=gen)
    return {k: t.float().double() for k, t in w.items()}  # the float32 values the Java side reads


def config(model_type, architecture, **sizes):
    cfg = {
        "architectures": [architecture],
        "model_type": model_type,
        "vocab_size": 61,
        "hidden_size": 32,
        "intermediate_size": 32,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "rms_norm_eps": 1e-6,
        "rope_theta": 10000.0,
        "max_position_embeddings": 64,
        "tie_word_embeddings": False,
        "hidden_act": "silu",
        "attention_dropout": 0.0,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "initializer_range": 0.02,
        "torch_dtype": "float32",
        "transformers_version": "4.46.0",
        "use_cache": True,
    }
    cfg.update(sizes)
    return cfg


MODELS = {
    # SmolLM / Llama 3.2 shape: tied, Llama 3 rope scaling; head size 8 puts wavelengths 6.3 (kept),
    # 63 (blended, band [16, 64]), 628 and 6283 (divided) in every branch
    "llama3-tied": config("llama", "LlamaForCausalLM", tie_word_embeddings=True,
                          rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                        "high_freq_factor": 4.0, "original_max_position_embeddings": 64},
                          pretraining_tp=1, mlp_bias=False, attention_bias=False),
    "llama-linear": config("llama", "LlamaForCausalLM", num_key_value_heads=4,
                           rope_scaling={"type": "linear", "factor": 2.0}),
    "mistral": config("mistral", "MistralForCausalLM", sliding_window=4),
    "qwen2": config("qwen2", "Qwen2ForCausalLM", tie_word_embeddings=True, num_key_value_heads=1,
                    use_sliding_window=False, sliding_window=32, max_window_layers=2),
    "qwen3": config("qwen3", "Qwen3ForCausalLM", head_dim=12, use_sliding_window=False, sliding_window=None,
                    attention_bias=False),
    "gemma": config("gemma", "GemmaForCausalLM", head_dim=12, num_attention_heads=2, num_key_value_heads=1,
                    tie_word_embeddings=True, hidden_act="gelu_pytorch_tanh", hidden_activation=None,
                    pad_token_id=0),
}


def main():
    torch.set_default_dtype(torch.float64)
    for seed, (name, cfg) in enumerate(MODELS.items()):
        gen = torch.Generator().manual_seed(1000 + seed)
        w = random_weights(cfg, gen)
        ids = torch.randint(0, cfg["vocab_size"], (2, 12), generator=gen)
        with torch.no_grad():
            logits = forward(w, cfg, ids)
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
            f.write("\n")
        write_safetensors(os.path.join(folder, "model.safetensors"), {k: v.float() for k, v in w.items()},
                          {"format": "pt"})
        write_safetensors(os.path.join(folder, "golden.safetensors"),
                          {"input_ids": ids.int(), "logits": logits.float()})
        print("%-13s logits %s, max |logit| %.3f" % (name, tuple(logits.shape), logits.abs().max().item()))


if __name__ == "__main__":
    main()
