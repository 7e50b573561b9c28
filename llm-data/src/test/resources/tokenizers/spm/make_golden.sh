#!/bin/sh
# Trains small SentencePiece models (BPE with byte fallback, Unigram) with Debian's sentencepiece
# tools on Moby-Dick from this repository's test corpora, and writes the ids spm_encode gives for
# each line of inputs.txt. Rerun from this folder: sh make_golden.sh (needs spm_train, spm_encode,
# python3). The outputs are checked in, so tests do not need the tools.
set -eu
corpus=../../corpora/moby-dick.jsonl.gz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$corpus" "$tmp/train.txt" inputs.txt <<'PY'
import gzip, json, random, sys
texts = []
for line in gzip.open(sys.argv[1], "rt", encoding="utf-8"):
    rec = json.loads(line)
    if isinstance(rec, dict) and rec.get("text"):
        texts.append(rec["text"])
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for t in texts[:60]:
        for para in t.split("\n"):
            if para.strip():
                f.write(para + "\n")
rnd = random.Random(20240611)
pieces = ["the", "The", " ", "  ", "\t", "whale", "Ahab's", "naïve", "café", "東京", "日本語", "🙂", "👍🏽",
          "1990s", "3.14", "½", "e\u0301", "…", "—", "“quoted”", "<s>", "</s>", "<unk>", "▁", "x", "Q",
          "ℌ", "\u00a0", "\u3000", "ǅ", "Ω", "𝔘𝔫𝔦", "\u200b", "!!", "?", "'", "-", "a" * 40,
          "ﬁ", "①", "Ⅻ", "ｆｕｌｌ", "ｶﾀｶﾅ", "\u2003", "e\u0301\u0323", "\u00ad", "\ufeff", "\u0007"]
lines = []
for t in texts[60:80]:
    lines.extend(p for p in t.split("\n") if p.strip())
lines = lines[:300]
for _ in range(400):
    lines.append("".join(rnd.choice(pieces) + rnd.choice(["", " ", " ", "  "]) for _ in range(rnd.randint(1, 25))))
lines += [" leading space", "trailing space   ", "   ", "a  b   c", "", "x" * 300]
with open(sys.argv[3], "w", encoding="utf-8") as f:
    for l in lines:
        f.write(l.replace("\n", " ").replace("\r", " ") + "\n")
PY
# bpe, unigram: no normalization rule (identity); bpe-nfkc, unigram-nfkc: spm_train's default
# nmt_nfkc character map, as Llama 2, Mistral and T5 ship.
for name in bpe unigram bpe-nfkc unigram-nfkc; do
  type=${name%-nfkc}
  rule=identity
  [ "$name" != "$type" ] && rule=nmt_nfkc
  fallback=false
  [ "$type" = bpe ] && fallback=true
  spm_train --input="$tmp/train.txt" --model_prefix="$name" --model_type="$type" --vocab_size=2000 \
    --byte_fallback="$fallback" --normalization_rule_name="$rule" --character_coverage=0.9995 \
    --num_threads=1 --seed_sentencepiece_size=100000 --minloglevel=2 >/dev/null 2>&1
  rm -f "$name.vocab"
  spm_encode --model="$name.model" --output_format=id < inputs.txt > "$name.ids"
done
