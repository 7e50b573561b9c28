#!/usr/bin/env bash
# Training throughput of llmj (`llm bench train`) and PyTorch (benchmarks/pytorch/train_gpt.py) on the
# same GPT-2 model, run one after the other, then their ratio. Arguments go to both and replace the
# defaults below, e.g. benchmarks/compare-train.sh --d-model 128 --seq-len 128 --steps 8
# With --preset qwen2.5-0.5b the PyTorch side is benchmarks/pytorch/train_qwen.py (the other arguments go
# to both) and the JVM gets room for the model's ~8 GB of parameters, gradients and AdamW state off the heap
# (JAVA_MEMORY replaces those options), e.g.
#   benchmarks/compare-train.sh --preset qwen2.5-0.5b --seq-len 256 --batch 1 --steps 4 --warmup 1 --threads 2
# Debian's python3-torch links the reference BLAS (torch.__config__: BLAS_INFO=generic, ~3 GFLOP/s);
# the PyTorch run preloads the OpenBLAS that ND4J ships, so both sides multiply matrices with the same
# library (set TORCH_BLAS= to run PyTorch as installed).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=llm-examples/target/llm.jar
ARGS=("$@")
(( $# )) || ARGS=(--layers 4 --heads 4 --d-model 256 --seq-len 256 --batch 16 --vocab 4096 --steps 12 --threads 2)
[[ -f $JAR ]] || { echo "build first: mvn -B -o -q -pl llm-examples -am package -DskipTests" >&2; exit 2; }
if [[ -z ${TORCH_BLAS+x} ]]; then
  TORCH_BLAS=$(find "$HOME/.javacpp/cache" -path '*openblas*' -name 'libopenblas.so.0' 2>/dev/null | head -1 || true)
fi
# OpenBLAS 0.3.19 mistakes recent CPUs for SSE3-only ones; give both sides the core this CPU has
# (llm does the same by itself when the variable is unset).
if [[ -z ${OPENBLAS_CORETYPE:-} ]]; then
  flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
  if [[ $flags == *" avx512f "* && $flags == *" avx512bw "* && $flags == *" avx512vl "* ]]; then
    export OPENBLAS_CORETYPE=SkylakeX
  elif [[ $flags == *" avx2 "* && $flags == *" fma "* ]]; then
    export OPENBLAS_CORETYPE=Haswell
  fi
fi
echo "load: $(uptime); OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}" >&2
TORCH_SCRIPT=benchmarks/pytorch/train_gpt.py
TORCH_ARGS=("${ARGS[@]}")
JVM_OPTIONS=()
for i in "${!ARGS[@]}"; do
  if [[ ${ARGS[$i]} == --preset ]]; then
    [[ ${ARGS[$((i + 1))]:-} == qwen2.5-0.5b ]] || { echo "PyTorch has only the qwen2.5-0.5b preset" >&2; exit 2; }
    TORCH_SCRIPT=benchmarks/pytorch/train_qwen.py
    TORCH_ARGS=("${ARGS[@]:0:i}" "${ARGS[@]:i+2}")
    read -r -a JVM_OPTIONS <<<"${JAVA_MEMORY:--Xmx2g -Dorg.bytedeco.javacpp.maxbytes=13g -Dorg.bytedeco.javacpp.maxphysicalbytes=15g}"
  fi
done
jvm=$(java "${JVM_OPTIONS[@]}" -jar "$JAR" bench train "${ARGS[@]}" | tail -1)
torch=$(LD_PRELOAD=${TORCH_BLAS:-} /usr/bin/python3 "$TORCH_SCRIPT" "${TORCH_ARGS[@]}" | tail -1)
echo "load: $(uptime)" >&2
echo "llmj:    $jvm"
echo "pytorch: $torch (BLAS preload: ${TORCH_BLAS:-none})"
# same batch and length on both sides: the tokens/s ratio is the inverse ratio of step times (printed to
# 0.1 ms, where tokens/s of a large model rounds to a few units)
field() { sed -E "s|.*$1=([0-9.]+).*|\\1|" <<<"$2"; }
python3 -c "print(f'ratio llmj/pytorch tokens/s = {$(field ms/step "$torch") / $(field ms/step "$jvm"):.2f}')"
if [[ $jvm == *peak_rss_gb=* && $torch == *peak_rss_gb=* ]]; then
  python3 -c "print(f'ratio llmj/pytorch peak RSS = {$(field peak_rss_gb "$jvm") / $(field peak_rss_gb "$torch"):.2f}')"
fi
