"""Training throughput of the GPT-2 model that `llm bench train` measures, in PyTorch.

Same model (learned positions, pre-LayerNorm with bias, GELU tanh, 4x MLP, biases, output tied to the
token table), same optimizer (AdamW, weight decay 0.1 on matrices, clip 1.0), random tokens, float32 on
the CPU. Prints the same last line as the JVM benchmark: tokens/s=<N> ms/step=<M> mfu=<F> peak_rss_gb=<G>,
the median over the steps after the warm-up ones and the process's peak resident memory.

    python3 benchmarks/pytorch/train_gpt.py --layers 4 --heads 4 --d-model 256 --seq-len 256 \
        --batch 16 --vocab 4096 --steps 12 --threads 2
"""
import argparse
import math
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F



def init_weights(model, layers, residual_outputs):
    """GPT-2's initialisation, as llmj's: matrices N(0, 0.02), the projections into the residual stream
    (names ending in residual_outputs) N(0, 0.02 / sqrt(2 * layers)), biases zero."""
    for name, p in model.named_parameters():
        if p.dim() == 2:
            std = 0.02 / math.sqrt(2 * layers) if name.endswith(residual_outputs) else 0.02
            nn.init.normal_(p, 0.0, std)
        elif name.endswith("bias"):
            nn.init.zeros_(p)

class Block(nn.Module):
    def __init__(self, c, h, seq):
        super().__init__()
        self.h = h
        self.register_buffer("mask", torch.ones(seq, seq, dtype=torch.bool).triu(1), persistent=False)
        self.ln1 = nn.LayerNorm(c)
        self.qkv = nn.Linear(c, 3 * c)
        self.proj = nn.Linear(c, c)
        self.ln2 = nn.LayerNorm(c)
        self.up = nn.Linear(c, 4 * c)
        self.down = nn.Linear(4 * c, c)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.h, c // self.h).transpose(1, 2) for z in (q, k, v))  # (B, H, T, D)
        # Written out (torch < 2.0 has no fused attention): scores, causal mask, softmax, values.
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(q.size(-1)))
        att = att.masked_fill(self.mask[:t, :t], float("-inf"))
        y = F.softmax(att, dim=-1) @ v
        x = x + self.proj(y.transpose(1, 2).contiguous().view(b, t, c))
        return x + self.down(F.gelu(self.up(self.ln2(x)), approximate="tanh"))


class Gpt(nn.Module):
    def __init__(self, vocab, seq, layers, heads, c):
        super().__init__()
        self.wte = nn.Embedding(vocab, c)
        self.wpe = nn.Embedding(seq, c)
        self.blocks = nn.ModuleList(Block(c, heads, seq) for _ in range(layers))
        self.lnf = nn.LayerNorm(c)
        init_weights(self, layers, ("proj.weight", "down.weight"))
        nn.init.normal_(self.wpe.weight, 0.0, 0.01)

    def forward(self, ids, targets):
        t = ids.shape[1]
        x = self.wte(ids) + self.wpe(torch.arange(t))
        for block in self.blocks:
            x = block(x)
        logits = self.lnf(x) @ self.wte.weight.t()  # tied output projection, (B, T, V)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1))


def peak_gflops():
    """Best of a few 1024^3 float matrix products, as the JVM benchmark measures it."""
    a, b = torch.rand(1024, 1024), torch.rand(1024, 1024)
    best = float("inf")
    for _ in range(6):
        t0 = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t0)
    return 2 * 1024 ** 3 / best / 1e9


def add_run_options(p):
    """The options of the step and its timing, shared by the benchmark scripts."""
    p.add_argument("--steps", type=int, default=12)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--peak-gflops", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=1337)


def train_and_report(a, model, vocab, describe, attention_flops):
    """Trains `model` (called as model(ids, targets) -> mean loss) for a.steps steps of a.batch x a.seq_len
    random tokens with AdamW (weight decay 0.1 on matrices) and clip 1.0, as the JVM benchmark does; prints
    the step times, peak and the last line tokens/s=<N> ms/step=<M> mfu=<F> peak_rss_gb=<G>."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=3e-4, betas=(0.9, 0.95), eps=1e-8)
    batches = [torch.randint(0, vocab, (a.batch, a.seq_len + 1)) for _ in range(4)]
    n_params = sum(p.numel() for p in model.parameters())

    times = []
    for step in range(a.steps):
        data = batches[step % len(batches)]
        t0 = time.perf_counter()
        loss = model(data[:, :-1], data[:, 1:])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        loss.item()
        times.append(time.perf_counter() - t0)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
    # after training, so that first-touch page faults do not lower the peak
    peak, source = (a.peak_gflops, "--peak-gflops") if a.peak_gflops > 0 else (
        peak_gflops(), f"measured sgemm 1024^3 on {a.threads} threads")

    ms = [1e3 * t for t in times[a.warmup:]]
    median = statistics.median(ms)
    tokens = a.batch * a.seq_len
    flops_per_token = 6.0 * n_params + attention_flops
    tps = tokens / (median / 1e3)
    print(f"model: {describe}, {n_params:,} parameters; seq {a.seq_len}, batch {a.batch}, {a.threads} threads;"
          f" torch {torch.__version__}", file=sys.stderr)
    print(f"step ms after {a.warmup} warm-up steps: {[round(m) for m in ms]}", file=sys.stderr)
    print(f"peak {peak:.1f} GFLOP/s ({source}); {flops_per_token:.3g} FLOPs/token", file=sys.stderr)
    print(f"tokens/s={tps:.0f} ms/step={median:.1f} mfu={tps * flops_per_token / (peak * 1e9):.4f}"
          f" peak_rss_gb={peak_rss / 1e9:.2f}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--d-model", type=int, default=256)
    p.add_argument("--seq-len", type=int, default=256)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--vocab", type=int, default=4096)
    add_run_options(p)
    a = p.parse_args()
    if a.steps <= a.warmup:
        sys.exit(f"--steps {a.steps} must exceed --warmup {a.warmup}")
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    model = Gpt(a.vocab, a.seq_len, a.layers, a.heads, a.d_model)
    train_and_report(a, model, a.vocab, f"GPT-2 {a.layers} layers, {a.heads} heads, d_model {a.d_model}, vocab {a.vocab}",
                     12.0 * a.layers * a.seq_len * a.d_model)


if __name__ == "__main__":
    main()
