#!/usr/bin/env bash
# Data-parallel scaling on one machine: `llm bench train` as 2 Open MPI ranks x 1 thread against one
# process x 2 threads, the same model and global batch, alternated PAIRS times (default 3) so that both
# see the same machine load; prints each pair, the ratio of tokens/s (ranks over threads) and the
# all-reduce's share of a step. Arguments replace the model and step options below, e.g.
#   benchmarks/compare-ranks.sh --d-model 128 --seq-len 128 --steps 8
# Needs Open MPI (apt-get install openmpi-bin libopenmpi-dev) when the jar was built.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=llm-examples/target/llm.jar
PAIRS=${PAIRS:-3}
ARGS=("$@")
(( $# )) || ARGS=(--layers 4 --heads 4 --d-model 256 --seq-len 256 --batch 16 --vocab 4096 --steps 12)
[[ -f $JAR ]] || { echo "build first: mvn -B -o -q -pl llm-examples -am package -DskipTests" >&2; exit 2; }
command -v mpirun >/dev/null || { echo "mpirun not found: apt-get install openmpi-bin libopenmpi-dev" >&2; exit 2; }
if [[ $(id -u) -eq 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
JVM=(java -Xmx3g --add-modules jdk.incubator.vector -jar "$JAR" bench train "${ARGS[@]}" --peak-gflops 1)
tps() { sed -E 's/.*tokens\/s=([0-9.]+).*/\1/' <<<"$1"; }
ratios=()
for i in $(seq "$PAIRS"); do
  echo "pair $i load: $(uptime)" >&2
  ranks=$(mpirun -np 2 --bind-to core "${JVM[@]}" --threads 1 2>/dev/null | tail -1)
  threads=$("${JVM[@]}" --threads 2 2>/dev/null | tail -1)
  r=$(python3 -c "print(f'{$(tps "$ranks") / $(tps "$threads"):.3f}')")
  ratios+=("$r")
  echo "pair $i: 2 ranks x 1 thread: $ranks | 1 process x 2 threads: $threads | ratio $r"
done
echo "load: $(uptime)" >&2
python3 -c "import statistics as s; r=[$(IFS=,; echo "${ratios[*]}")]; print(f'ratio tokens/s, 2 ranks over 2 threads: median {s.median(r):.3f} of {r}')"
