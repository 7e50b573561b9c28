#!/usr/bin/env bash
# Two builds of `llm prepare` side by side: each pair times the whole mail corpus and one file of it
# with jar A, then with jar B, so that both see the same machine; prints each pair's marginal rates
# (as run.sh computes them) and the medians.
#
#   benchmarks/prepare/ab.sh REPS A.jar B.jar [-- extra prepare options]
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 3 ] || { echo "usage: $0 REPS A.jar B.jar [-- extra prepare options]" >&2; exit 2; }
REPS=$1
JARS=("$2" "$3")
shift 3
[ "${1:-}" = "--" ] && shift
EXTRA=("$@")
CORPORA=llm-data/src/test/resources/corpora
ALL=("$CORPORA"/spamassassin-*.jsonl.gz)
ONE=("$CORPORA"/spamassassin-hard-ham-1.jsonl.gz)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# One run: prints "wall megabytes".
run() {
  local jar=$1
  shift
  rm -rf "$OUT/o"
  local t0 t1
  t0=$(date +%s.%N)
  java -jar "$jar" prepare --input "$@" --output "$OUT/o" "${EXTRA[@]}" >"$OUT/log" 2>&1 || { cat "$OUT/log" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$(echo "$t1 - $t0" | bc -l) $(sed -n 's/^read [0-9,]* documents (\([0-9.]*\) MB).*/\1/p' "$OUT/log")"
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "A=${JARS[0]} B=${JARS[1]}; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
rates_a=()
rates_b=()
for ((r = 1; r <= REPS; r++)); do
  for k in 0 1; do
    read -r wa ma < <(run "${JARS[$k]}" "${ALL[@]}")
    read -r wo mo < <(run "${JARS[$k]}" "${ONE[@]}")
    rate=$(echo "($ma - $mo) / ($wa - $wo)" | bc -l)
    if [ $k = 0 ]; then rates_a+=("$rate"); else rates_b+=("$rate"); fi
    printf 'pair %d %s: all %.2f s, one %.2f s, marginal %.1f MB/s\n' "$r" "$([ $k = 0 ] && echo A || echo B)" "$wa" "$wo" "$rate"
  done
done
printf 'median marginal rate: A %.1f MB/s, B %.1f MB/s over %d pairs\n' "$(median "${rates_a[@]}")" "$(median "${rates_b[@]}")" "$REPS"
