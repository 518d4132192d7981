#!/usr/bin/env bash
# The figures a machine with a real GPU should record, in one go (about 30–60 min on a datacenter GPU):
#   deploy/gpu-measure.sh [out-folder]        (after npm ci; needs libvulkan1 and the GPU's Vulkan driver)
# 1. the backends agree (cpu, wasm, webgpu), with the adapter named;
# 2. time per seed of the tiny and quick presets on webgpu and on wasm, side by side;
# 3. the lab preset (seeds 0, 1, 2) on webgpu — the built-in story on the GPU preset;
# 4. npm run bench with WebGPU in Node (loop counts and timings) and in headless Chromium.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-gpu-out}
mkdir -p "$out"
lab() { npx tsx src/cli/lab.ts "$@"; }
timed() { local name=$1; shift; local t0=$(date +%s.%N); "$@" >"$out/$name.txt" 2>"$out/$name.log"; local rc=$?
  echo "$name rc=$rc $(echo "$(date +%s.%N) - $t0" | bc) s" | tee -a "$out/times.txt"; }
nvidia-smi >"$out/nvidia-smi.txt" 2>&1 || true
timed check lab --check-backends --out "$out/check.json"
for preset in tiny quick; do
  timed "$preset-webgpu" lab --preset "$preset" --backend webgpu --seeds 0 --out "$out/$preset-webgpu.json"
  timed "$preset-wasm" lab --preset "$preset" --backend wasm --seeds 0 --out "$out/$preset-wasm.json"
done
timed lab-webgpu lab --preset lab --backend webgpu --methods kd,rkd,ctkd,kdpp,dkd --seeds 0,1,2 \
  --checkpoint "$out/lab.ckpt" --out "$out/lab-webgpu.json"
timed bench npm run bench -- --steps 5 --rounds 7 --node wasm,webgpu --browser webgpu,wasm --out "$out/bench.json"
echo "results in $out/"
