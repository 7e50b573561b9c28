#!/usr/bin/env bash
# Builds llmj's CUDA kernels (llm-kernels/src/main/cuda/*.cu) with every check program
# (benchmarks/gpu/*_check.cu, each its own executable), runs them on the GPU and prints their tables.
# Needs only nvcc and an NVIDIA GPU: no Java, no Maven.
#
#   benchmarks/gpu/run.sh               build for this machine's GPU, run every check
#   benchmarks/gpu/run.sh --build-only  build for sm_80, sm_86, sm_90 (+ PTX); no GPU needed
#
# Environment: NVCC (default nvcc), LLMJ_CUDA_ARCHS (e.g. "80 90": build for these instead),
# LLMJ_GPU_BUILD (build folder, default benchmarks/gpu/build). Exit status: 0 when every check
# passed, 1 when a check failed, 2 when the build or the environment is wrong.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
kernels="$root/llm-kernels/src/main/cuda"
build="${LLMJ_GPU_BUILD:-$here/build}"
nvcc="${NVCC:-nvcc}"

die() { echo "run.sh: $*" >&2; exit 2; }

build_only=0
for arg in "$@"; do
  case "$arg" in
    --build-only) build_only=1 ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$arg'; use --build-only or --help" ;;
  esac
done

command -v "$nvcc" >/dev/null 2>&1 ||
  die "nvcc not found (NVCC=$nvcc); install the CUDA toolkit (12.x or later) or set NVCC=/path/to/nvcc"

# The device's compute capability as "90": nvidia-smi where it knows compute_cap, else a probe.
detect_arch() {
  local cap=""
  if command -v nvidia-smi >/dev/null 2>&1; then
    cap="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -n 1 | tr -d ' .')" || cap=""
  fi
  if ! [[ "$cap" =~ ^[0-9]+$ ]]; then
    local probe="$build/probe"
    cat > "$build/probe.cu" <<'PROBE'
#include <cstdio>
#include <cuda_runtime.h>
int main() {
  cudaDeviceProp p;
  if (cudaGetDeviceProperties(&p, 0) != cudaSuccess) return 1;
  std::printf("%d%d\n", p.major, p.minor);
  return 0;
}
PROBE
    "$nvcc" -o "$probe" "$build/probe.cu" >/dev/null 2>&1 || die "cannot build the device probe with $nvcc"
    cap="$("$probe" 2>/dev/null)" || cap=""
  fi
  [[ "$cap" =~ ^[0-9]+$ ]] ||
    die "no CUDA GPU found (nvidia-smi and the probe see none); run on a machine with an NVIDIA GPU and driver, or use --build-only"
  echo "$cap"
}

mkdir -p "$build"
if [[ -n "${LLMJ_CUDA_ARCHS:-}" ]]; then
  archs="$LLMJ_CUDA_ARCHS"
elif [[ $build_only == 1 ]]; then
  archs="80 86 90"
else
  archs="$(detect_arch)"
fi
gencode=()
last=""
for a in $archs; do
  [[ "$a" =~ ^[0-9]+[a-z]?$ ]] || die "LLMJ_CUDA_ARCHS entry '$a' is not a compute capability like 80 or 90"
  gencode+=("-gencode" "arch=compute_$a,code=sm_$a")
  last="$a"
done
# PTX of the newest target too, so a newer GPU can still JIT-compile the kernels.
gencode+=("-gencode" "arch=compute_$last,code=compute_$last")

flags=(-std=c++17 -O3 -lineinfo -Xcompiler -Wall --Werror all-warnings --threads 0 -I"$kernels" -I"$here" "${gencode[@]}")

# Rebuild from scratch when the flags change; otherwise recompile what is older than any source.
stamp="$build/flags"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "${flags[*]}" ]]; then
  rm -rf "$build/obj" "$build/bin"
  printf '%s' "${flags[*]}" > "$stamp"
fi
mkdir -p "$build/obj" "$build/bin"
newest_header="$(ls -t "$kernels"/*.h "$kernels"/*.cuh "$here"/*.h 2>/dev/null | head -n 1)"
stale() { [[ ! -f "$1" || "$2" -nt "$1" || "$newest_header" -nt "$1" ]]; }

shopt -s nullglob
sources=("$kernels"/*.cu)
checks=("$here"/*_check.cu)
(( ${#sources[@]} > 0 )) || die "no kernel sources in $kernels"
(( ${#checks[@]} > 0 )) || die "no check programs (*_check.cu) in $here"

echo "building for compute capability $archs with $("$nvcc" --version | tail -n 1)"
objects=()
for src in "${sources[@]}"; do
  obj="$build/obj/$(basename "${src%.cu}").o"
  if stale "$obj" "$src"; then
    echo "  nvcc $(basename "$src")"
    "$nvcc" "${flags[@]}" -c "$src" -o "$obj" || die "compiling $src failed"
  fi
  objects+=("$obj")
done
programs=()
for src in "${checks[@]}"; do
  bin="$build/bin/$(basename "${src%.cu}")"
  obj="$build/obj/check_$(basename "${src%.cu}").o"
  if stale "$obj" "$src"; then
    echo "  nvcc $(basename "$src")"
    "$nvcc" "${flags[@]}" -c "$src" -o "$obj" || die "compiling $src failed"
  fi
  "$nvcc" "${gencode[@]}" -o "$bin" "$obj" "${objects[@]}" -ldl || die "linking $bin failed"
  programs+=("$bin")
done
echo "built: ${programs[*]}"
if [[ $build_only == 1 ]]; then exit 0; fi

device="$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -n 1 || true)"
echo
echo "== llmj GPU checks: ${device:-unknown device}, $(date -u '+%Y-%m-%d %H:%M UTC') =="
failed=()
for bin in "${programs[@]}"; do
  echo
  echo "== $(basename "$bin") =="
  if ! "$bin"; then failed+=("$(basename "$bin")"); fi
done
echo
if (( ${#failed[@]} > 0 )); then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all GPU checks passed"
