"""Training throughput and peak memory of the qwen2.5-0.5b preset that `llm bench train --preset` measures, in PyTorch.

Written from the Qwen2 architecture: token embeddings tied to the output projection, pre-RMSNorm blocks
with grouped-query attention (rotary positions on queries and keys, biases on the q, k and v projections
only) and a SwiGLU MLP, a final RMSNorm. Same optimizer as the JVM benchmark (AdamW, weight decay 0.1 on
matrices, clip 1.0), random tokens, float32 on the CPU. Prints the same last line as `llm bench train`:
tokens/s=<N> ms/step=<M> mfu=<F> peak_rss_gb=<G>, the median over the steps after the warm-up ones and
the process's peak resident memory.

    /usr/bin/python3 benchmarks/pytorch/train_qwen.py --seq-len 256 --batch 1 --steps 4 --threads 2

--no-qkv-bias drops the q/k/v biases (the shape of a llama-family model of the same size); --recompute
recomputes each block's activations in backward (torch.utils.checkpoint), as `llm bench train --recompute`.
"""
import argparse
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.utils.checkpoint

from train_gpt import add_run_options, init_weights, train_and_report


class RmsNorm(nn.Module):
    def __init__(self, c, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(c))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate(x, cos, sin):
    """Rotary positions, the half-split form: (x1, x2) -> (x1 cos - x2 sin, x2 cos + x1 sin)."""
    x1, x2 = x.chunk(2, dim=-1)
    return x * cos + torch.cat((-x2, x1), dim=-1) * sin


class Block(nn.Module):
    def __init__(self, c, h, hkv, f, eps, qkv_bias):
        super().__init__()
        self.h, self.hkv, self.d = h, hkv, c // h
        self.norm1 = RmsNorm(c, eps)
        self.q = nn.Linear(c, h * self.d, bias=qkv_bias)
        self.k = nn.Linear(c, hkv * self.d, bias=qkv_bias)
        self.v = nn.Linear(c, hkv * self.d, bias=qkv_bias)
        self.o = nn.Linear(h * self.d, c, bias=False)
        self.norm2 = RmsNorm(c, eps)
        self.gate = nn.Linear(c, f, bias=False)
        self.up = nn.Linear(c, f, bias=False)
        self.down = nn.Linear(f, c, bias=False)

    def forward(self, x, cos, sin, mask):
        b, t, c = x.shape
        y = self.norm1(x)
        q = self.q(y).view(b, t, self.h, self.d).transpose(1, 2)  # (B, H, T, D)
        k = self.k(y).view(b, t, self.hkv, self.d).transpose(1, 2)  # (B, Hkv, T, D)
        v = self.v(y).view(b, t, self.hkv, self.d).transpose(1, 2)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        g = self.h // self.hkv
        k, v = k.repeat_interleave(g, dim=1), v.repeat_interleave(g, dim=1)  # query head h reads kv head h // G
        # Written out (torch < 2.0 has no fused attention): scores, causal mask, softmax, values.
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.d))
        att = att.masked_fill(mask[:t, :t], float("-inf"))
        y = (F.softmax(att, dim=-1) @ v).transpose(1, 2).reshape(b, t, self.h * self.d)
        x = x + self.o(y)
        y = self.norm2(x)
        return x + self.down(F.silu(self.gate(y)) * self.up(y))


class Qwen(nn.Module):
    def __init__(self, vocab, seq, layers, heads, kv_heads, c, f, theta, eps, qkv_bias, recompute):
        super().__init__()
        self.recompute = recompute
        self.wte = nn.Embedding(vocab, c)
        self.blocks = nn.ModuleList(Block(c, heads, kv_heads, f, eps, qkv_bias) for _ in range(layers))
        self.norm = RmsNorm(c, eps)
        d = c // heads
        inv = 1.0 / theta ** (torch.arange(0, d, 2, dtype=torch.float64) / d)
        angles = torch.outer(torch.arange(seq, dtype=torch.float64), inv)
        angles = torch.cat((angles, angles), dim=-1)  # (T, D)
        self.register_buffer("cos", angles.cos().float(), persistent=False)
        self.register_buffer("sin", angles.sin().float(), persistent=False)
        self.register_buffer("mask", torch.ones(seq, seq, dtype=torch.bool).triu(1), persistent=False)
        init_weights(self, layers, ("o.weight", "down.weight"))

    def forward(self, ids, targets):
        t = ids.shape[1]
        x = self.wte(ids)
        cos, sin = self.cos[:t], self.sin[:t]
        for block in self.blocks:
            if self.recompute:
                x = torch.utils.checkpoint.checkpoint(block, x, cos, sin, self.mask, use_reentrant=False)
            else:
                x = block(x, cos, sin, self.mask)
        logits = self.norm(x) @ self.wte.weight.t()  # tied output projection, (B, T, V)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--layers", type=int, default=24)
    p.add_argument("--heads", type=int, default=14)
    p.add_argument("--kv-heads", type=int, default=2)
    p.add_argument("--d-model", type=int, default=896)
    p.add_argument("--ffn", type=int, default=4864)
    p.add_argument("--vocab", type=int, default=151936)
    p.add_argument("--rope-theta", type=float, default=1e6)
    p.add_argument("--no-qkv-bias", action="store_true")
    p.add_argument("--recompute", action="store_true")
    p.add_argument("--seq-len", type=int, default=256)
    p.add_argument("--batch", type=int, default=1)
    add_run_options(p)
    p.set_defaults(steps=4, warmup=1)
    a = p.parse_args()
    if a.steps <= a.warmup:
        sys.exit(f"--steps {a.steps} must exceed --warmup {a.warmup}")
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    model = Qwen(a.vocab, a.seq_len, a.layers, a.heads, a.kv_heads, a.d_model, a.ffn, a.rope_theta, 1e-6,
                 not a.no_qkv_bias, a.recompute)
    describe = (f"qwen2 {a.layers} layers, {a.heads} heads ({a.kv_heads} key/value), d_model {a.d_model}, vocab"
                f" {a.vocab}, q/k/v biases {not a.no_qkv_bias}{', recompute' if a.recompute else ''}")
    train_and_report(a, model, a.vocab, describe, 12.0 * a.layers * a.seq_len * a.d_model)


if __name__ == "__main__":
    main()
