#!/usr/bin/env bash
# End-to-end speed of `llm prepare` as a user runs it: the default pipeline, output written as
# gzip JSONL shards. The whole mail corpus is timed against one file of it, alternating, and the
# marginal rate (bytes_all - bytes_one) / (t_all - t_one) takes JVM start-up out of the figure.
#
#   benchmarks/prepare/run.sh [REPS] [-- extra prepare options]
#
# Needs llm-examples/target/llm.jar (mvn -o -q -pl llm-examples -am package -DskipTests), or LLM_JAR=path.
# Prints each run (wall and CPU seconds) and the median marginal MB/s.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS=${1:-5}
shift || true
[ "${1:-}" = "--" ] && shift
EXTRA=("$@")
JAR=${LLM_JAR:-llm-examples/target/llm.jar}
CORPORA=llm-data/src/test/resources/corpora
ALL=("$CORPORA"/spamassassin-*.jsonl.gz)
ONE=("$CORPORA"/spamassassin-hard-ham-1.jsonl.gz)
[ -f "$JAR" ] || { echo "missing $JAR: build it with mvn -o -q -pl llm-examples -am package -DskipTests" >&2; exit 1; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# One run: prints "wall cpu megabytes" (MB as prepare counts them: input bytes read in one pass).
run() {
  rm -rf "$OUT/o"
  local t0 t1 log
  log="$OUT/log"
  t0=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$OUT/time" java -jar "$JAR" prepare --input "$@" --output "$OUT/o" "${EXTRA[@]}" >"$log" 2>&1 \
    || { cat "$log" >&2; exit 1; }
  t1=$(date +%s.%N)
  local mb
  mb=$(sed -n 's/^read [0-9,]* documents (\([0-9.]*\) MB).*/\1/p' "$log")
  echo "$(echo "$t1 - $t0" | bc -l) $(awk '{print $1 + $2}' "$OUT/time") $mb"
}

echo "corpus: ${#ALL[@]} files, baseline: ${ONE[0]##*/}; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
run "${ONE[@]}" >/dev/null # warm the page cache
rates=()
for ((r = 1; r <= REPS; r++)); do
  read -r wa ca ma < <(run "${ALL[@]}")
  read -r wo co mo < <(run "${ONE[@]}")
  rate=$(echo "($ma - $mo) / ($wa - $wo)" | bc -l)
  rates+=("$rate")
  printf 'rep %d: all %.1f MB %.2f s (cpu %.2f s) | one %.1f MB %.2f s (cpu %.2f s) | end to end %.1f MB/s | marginal %.1f MB/s, cpu %.3f s/MB\n' \
    "$r" "$ma" "$wa" "$ca" "$mo" "$wo" "$co" "$(echo "$ma / $wa" | bc -l)" "$rate" "$(echo "($ca - $co) / ($ma - $mo)" | bc -l)"
done
printf 'median marginal rate: %.1f MB/s over %d repetitions\n' "$(printf '%s\n' "${rates[@]}" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')" "$REPS"
