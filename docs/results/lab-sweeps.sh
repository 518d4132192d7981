#!/usr/bin/env bash
# The lab preset's sweeps behind docs/results/lab.json and lab-temperature.json, on a 2-core CPU: two
# shards at a time, one wasm thread each, niced, every cell on one kernel path (relaxed+fused); both
# manifests share their teachers. Run it from a worktree of a fixed commit (git worktree add), so that
# edits in the main checkout cannot reach a running shard; every cell records the commit it ran from. Run it again to go
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
# The study's λ grid and beyond for CKD and CTKD, three λ for the other methods, the labels-only student;
# seeds 0–4. 22 cells a seed: shard 2s trains seed s's teacher, shard 2s + 1 finds it trained.
[ -f "$S/lab/manifest.json" ] || lab --plan "$S/lab/manifest.json" --preset lab --methods kd,ctkd,rkd,kdpp,dkd \
  --lambdas 0,0.5,1,2,4,8 --method-lambdas 'rkd=0,2,4;kdpp=0,2,4;dkd=0,2,4' --seeds 0,1,2,3,4 --shards 10
# The temperature trend: CKD at T 1, 2, 4, 8 (λ 0), one seed a shard, sharing the lab sweep's teachers.
[ -f "$S/lab-temperature/manifest.json" ] || lab --plan "$S/lab-temperature/manifest.json" --preset lab --methods kd \
  --sweep kd.T=1,2,4,8 --lambdas 0 --no-baseline --seeds 0,1,2,3,4 --shards 5
mkdir -p "$S/logs"
job() { # manifest shard/count
  echo "nice -n 10 node --import tsx src/cli/lab.ts --manifest $S/$1/manifest.json --shard $2 --teachers $S/teachers --threads 1 --backend wasm --kernels relaxed+fused > $S/logs/$1-${2/\//-of-}.log 2>&1"
}
# Two seeds' teachers train side by side first; a seed's other shards come after its teacher is trained.
{
  job lab 0/10; job lab 2/10; job lab 1/10; job lab 3/10; job lab-temperature 0/5; job lab-temperature 1/5
  job lab 4/10; job lab 6/10; job lab 5/10; job lab 7/10; job lab-temperature 2/5; job lab-temperature 3/5
  job lab 8/10; job lab 9/10; job lab-temperature 4/5
} | parallel -j2 --joblog "$S/jobs.log" --resume-failed --line-buffer
