#!/usr/bin/env bash
# The GPU kit: the figures a GPU server should give, from this bundle alone (no Node.js, npm or network
# needed), in about 8 minutes on an H200, each part's JSON written to OUTDIR as soon as it is done, the
# most important first, so a cut-off run still leaves them:
#   1. the adapter (Dawn over the Vulkan driver) and --check-backends wasm,webgpu on tiny;
#   2. training steps per second side by side: the reference CNN, the lab teacher, the lab student with
#      and without the adversary — WebGPU with tfjs's kernels, with the lab's gradient kernels and with
#      its fused programs too (the gradients-only row not in --smoke), wasm on
#      every core, PyTorch on CUDA (fp32 with TF32 off, and its defaults) and on the CPU cores — each as
#      a ratio to CUDA (2-rates.json; tfjs and PyTorch parameter counts side by side);
#   3. one quick seed and one lab seed (CKD, λ 0 and 2) on WebGPU: wall time and the story's figures.
#   measure.sh [--smoke] [OUTDIR]     (OUTDIR defaults to ./measure-out)
# --smoke: tiny shapes and a few steps, to prove the kit where there is no GPU: WebGPU then runs on
# whatever adapter Dawn finds (SwiftShader with VK_ICD_FILENAMES), and PyTorch on the CPU stands in for
# CUDA (its rows say so). PYTHON names the Python with torch (default python3); rows without it are skipped
# with a note. Each run has a time limit (the check LIMIT_1, 90 s; each WebGPU step-rate run GPU_LIMIT, 45 s;
# the lab seed gets what is left of BUDGET, 470 s by default) so the whole fits an 8-minute reservation.
set -uo pipefail
HERE=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
SMOKE=0
if [ "${1:-}" = --smoke ]; then SMOKE=1; shift; fi
OUT=$(mkdir -p "${1:-measure-out}" && cd "${1:-measure-out}" && pwd)
PY=${PYTHON:-python3}
CORES=$(nproc 2>/dev/null || echo 4)
T0=$(date +%s)
say() { echo "[$(($(date +%s) - T0)) s] $*" | tee -a "$OUT/log.txt"; }
# run NAME LIMIT CMD…: stdout to OUT/NAME, stderr to OUT/NAME.log, never longer than LIMIT seconds.
run() {
  local name=$1 limit=$2; shift 2
  local t=$(date +%s)
  timeout --signal=TERM --kill-after=10 "$limit" "$@" >"$OUT/$name" 2>"$OUT/$name.log"
  local rc=$?
  say "$name: exit $rc after $(($(date +%s) - t)) s$([ $rc = 124 ] && echo " (cut off at its $limit s limit)")"
  return $rc
}
# Commands, not functions: timeout runs programs.
lab=("$HERE/lab")
rates=(env FAIRDISTILL_ENTRY=stepRates "$HERE/lab")
torch=("$PY" "$HERE/python/torch_steps.py")
if [ $SMOKE = 1 ]; then
  # A software adapter compiles and runs each program slowly: small data, one step, and on WebGPU one
  # workload (the student with its adversary: the KD step's and the adversary's programs); wasm and
  # PyTorch still step every model, so their parameter counts are still compared.
  PRESET=tiny STEPS=1 GPU_WORK=student-adversary
  # The check's tolerances are statistical (≥ 97% of test predictions the same): it keeps half the tiny
  # dataset, 61 test images; the run of part 3 needs no more than a few: 108 images, of which 64 train,
  # two whole batches (a remainder batch would compile every gradient program a second time, 36 s → 30 s).
  # Both at 8 px: a software adapter's time goes into the convolutions (82 s for the check at 16 px, 50 s
  # at 8 px) and into compiling a program for each shape.
  CHECK_SMALL=(--examples 240 --image-size 8)
  SMALL=(--examples 108 --image-size 8 --teacher-epochs 1 --student-epochs 1)
else
  PRESET=lab STEPS=10 GPU_WORK=reference,teacher,student,student-adversary
  CHECK_SMALL=()
  SMALL=()
fi
say "FairDistill Lab GPU kit$([ $SMOKE = 1 ] && echo ' (smoke)') → $OUT"

# 1. The adapter and the backend check.
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>/dev/null || echo 'no nvidia-smi'; } >"$OUT/1-gpu.txt"
run 1-check.txt "${LIMIT_1:-$([ $SMOKE = 1 ] && echo 150 || echo 90)}" "${lab[@]}" --check-backends --backends wasm,webgpu --preset tiny --no-baseline --lambdas 1 \
  "${CHECK_SMALL[@]}" --out "$OUT/1-check.json"
grep -m1 -i 'webgpu (' "$OUT/1-check.txt" | tee -a "$OUT/log.txt"

# 2. Steps per second, side by side.
# Per run: WebGPU 45 s (a software adapter in the smoke run: 120 s), wasm 60 s, each PyTorch row 25 s.
GPU_LIMIT=${GPU_LIMIT:-$([ $SMOKE = 1 ] && echo 120 || echo 45)}
per=25
run 2-webgpu-tfjs.jsonl $GPU_LIMIT "${rates[@]}" --backend webgpu --kernels tfjs --preset $PRESET --steps $STEPS --workloads $GPU_WORK
run 2-webgpu-own.jsonl $GPU_LIMIT "${rates[@]}" --backend webgpu --kernels own --preset $PRESET --steps $STEPS --workloads $GPU_WORK
# The lab's gradient kernels without its fused programs (tfjs's Adam and element-wise ops): what the fused
# programs add on this GPU. Not in the smoke run (a software adapter would spend its time for nothing).
[ $SMOKE = 1 ] || run 2-webgpu-gradients.jsonl $GPU_LIMIT "${rates[@]}" --backend webgpu --kernels gradients --preset $PRESET --steps $STEPS --workloads $GPU_WORK
run 2-wasm.jsonl 60 "${rates[@]}" --backend wasm --threads "$CORES" --preset $PRESET --steps $STEPS
if "$PY" -c 'import torch' 2>/dev/null; then
  torch+=(--preset $PRESET --steps $STEPS)
  if [ $SMOKE = 1 ]; then
    # No CUDA here: PyTorch on the CPU stands in for it, under the CUDA rows' names, so the ratios can be checked.
    run 2-torch-cuda-fp32.jsonl $per "${torch[@]}" --device cpu --threads "$CORES"
    cp "$OUT/2-torch-cuda-fp32.jsonl" "$OUT/2-torch-cuda-default.jsonl"
    say 'smoke: the "CUDA" rows are PyTorch on the CPU'
  else
    run 2-torch-cuda-fp32.jsonl $per "${torch[@]}" --device cuda --precision fp32
    run 2-torch-cuda-default.jsonl $per "${torch[@]}" --device cuda --precision default
  fi
  run 2-torch-cpu.jsonl $per "${torch[@]}" --device cpu --threads "$CORES"
else
  say "PyTorch rows skipped: $PY has no torch"
fi
FAIRDISTILL_ENTRY=summary "$HERE/lab" "$OUT" | tee "$OUT/2-rates.md"

# 3. The story on WebGPU: one quick seed, one lab seed (CKD, λ 0 and 2).
left() { local l=$((T0 + ${BUDGET:-470} - $(date +%s))); echo $((l > 30 ? l : 30)); }
if [ $SMOKE = 1 ]; then
  run 3-tiny.txt "$(left)" "${lab[@]}" --preset tiny --backend webgpu --seeds 0 --no-baseline "${SMALL[@]}" --out "$OUT/3-tiny.json"
else
  run 3-quick.txt 75 "${lab[@]}" --preset quick --backend webgpu --seeds 0 --out "$OUT/3-quick.json"
  # Cut off, it keeps its last finished epoch in 3-lab.ckpt: the same command goes on from there.
  run 3-lab.txt "$(left)" "${lab[@]}" --preset lab --backend webgpu --methods kd --lambdas 0,2 --seeds 0 \
    --checkpoint "$OUT/3-lab.ckpt" --out "$OUT/3-lab.json"
fi
say "done in $(($(date +%s) - T0)) s; results in $OUT"
