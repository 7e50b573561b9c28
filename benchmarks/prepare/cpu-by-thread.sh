#!/usr/bin/env bash
# Where `llm prepare` spends its CPU, by thread (Linux: reads /proc every 0.1 s): pipeline workers,
# the read-ahead thread (gunzip, UTF-8, JSON), the write-behind thread (JSON out, gzip), main
# (start-up, in-order steps), the JIT compilers and the garbage collector.
#
#   benchmarks/prepare/cpu-by-thread.sh [prepare --input files...]   (default: the whole mail corpus)
#
# Runs one JVM (the tool's own relaunch is done here: OPENBLAS_CORETYPE and the Vector module set).
# A thread that lives less than 0.1 s (the read-ahead thread of a small input) may be missed.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=${LLM_JAR:-llm-examples/target/llm.jar}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
ARGS=("$@")
[ ${#ARGS[@]} -gt 0 ] || ARGS=(--input llm-data/src/test/resources/corpora/spamassassin-*.jsonl.gz)
OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell} java --add-modules jdk.incubator.vector -Dllmj.relaunch=false -jar "$JAR" \
  prepare "${ARGS[@]}" --output "$OUT/o" >"$OUT/log" 2>&1 &
pid=$!
declare -A ticks
while kill -0 "$pid" 2>/dev/null; do
  for d in /proc/"$pid"/task/*; do
    stat=$(cat "$d/stat" 2>/dev/null) || continue
    name=$(sed 's/[0-9#]*$//; s/ /_/g' "$d/comm" 2>/dev/null) || continue
    read -r -a f <<<"${stat##*) }"
    ticks["$name:${d##*/}"]=$((f[11] + f[12])) # utime + stime of the thread, in clock ticks
  done
  sleep 0.1
done
wait "$pid" || { cat "$OUT/log" >&2; exit 1; }
grep '^read ' "$OUT/log"
hz=$(getconf CLK_TCK)
for k in "${!ticks[@]}"; do echo "${k%%:*} ${ticks[$k]}"; done |
  awk -v hz="$hz" '{a[$1] += $2; t += $2} END {for (k in a) if (a[k] > 0) printf "%7.2f s %5.1f%%  %s\n", a[k] / hz, 100 * a[k] / t, k; printf "%7.2f s cpu in all\n", t / hz}' |
  sort -rn
