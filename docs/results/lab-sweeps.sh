#!/usr/bin/env bash
# The lab preset's sweeps behind docs/results/lab.json and lab-temperature.json, on a 2-core CPU: two
# shards at a time, one wasm thread each, niced; both manifests share their teachers. Run it again to go
# on: finished shards are skipped and a stopped or failed one runs again (parallel --resume-failed), going on
# from its last finished epoch.
# When every shard is done:
#   npm run lab -- --merge .sweeps/lab/manifest.json --out docs/results/lab.json
#   npm run lab -- --merge .sweeps/lab-temperature/manifest.json --out docs/results/lab-temperature.json
# A session's machine does not keep .sweeps/: `docs/results/lab-sweeps.sh --save` copies its state (manifests,
# finished cells, trained teachers, the checkpoint of each shard in progress, parallel's job log) into
# docs/results/lab-sweeps-state/ to be committed, and a run without .sweeps/ starts from that copy.
set -euo pipefail
cd "$(dirname "$0")/../.."
S=${SWEEPS:-$PWD/.sweeps}
SAVED=docs/results/lab-sweeps-state
if [ "${1:-}" = --save ]; then
  rm -rf "$SAVED" && mkdir -p "$SAVED"
  # Everything but the logs and a lock's or a half-written file's leftovers.
  tar -C "$S" --exclude=./logs --exclude='*.lock' --exclude='*.tmp' -cf - . | tar -C "$SAVED" -xf -
  echo "saved $(du -sh "$SAVED" | cut -f1) of sweep state into $SAVED"
  exit 0
fi
if [ ! -d "$S" ] && [ -d "$SAVED" ]; then
  mkdir -p "$S" && cp -a "$SAVED/." "$S/"
  echo "started from the saved state in $SAVED"
fi
lab() { node --import tsx src/cli/lab.ts "$@"; }
[ -f "$S/lab/manifest.json" ] || lab --plan "$S/lab/manifest.json" --preset lab --methods kd,rkd,ctkd,kdpp,dkd \
  --lambdas 0,1,2 --seeds 0,1,2 --shards 12
[ -f "$S/lab-temperature/manifest.json" ] || lab --plan "$S/lab-temperature/manifest.json" --preset lab --methods kd \
  --sweep kd.T=1,2,4,8 --lambdas 0 --no-baseline --seeds 0,1,2 --shards 3
mkdir -p "$S/logs"
job() { # manifest shard/count
  echo "nice -n 10 node --import tsx src/cli/lab.ts --manifest $S/$1/manifest.json --shard $2 --teachers $S/teachers --threads 1 --backend wasm > $S/logs/$1-${2/\//-of-}.log 2>&1"
}
# Seed 0's and seed 1's first shards train their teachers side by side; later shards find them trained.
{
  job lab 0/12; job lab 4/12; job lab 1/12; job lab 5/12; job lab 2/12; job lab 6/12; job lab 3/12; job lab 7/12
  job lab 8/12; job lab-temperature 0/3; job lab-temperature 1/3; job lab 9/12; job lab-temperature 2/3
  job lab 10/12; job lab 11/12
} | parallel -j2 --joblog "$S/jobs.log" --resume-failed --line-buffer
