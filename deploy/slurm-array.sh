#!/usr/bin/env bash
# A sweep on Slurm: one array task per shard, each with a GPU; the sweep folder on a shared file system.
#
#   1. Plan:   npm run lab -- --plan $SWEEP/manifest.json --preset lab --methods kd,rkd,ctkd,kdpp,dkd \
#                --lambdas 0,0.5,1,2 --seeds 0,1,2 --shards 8
#   2. Submit: SWEEP=/shared/sweep sbatch --array=0-7 deploy/slurm-array.sh
#      Each task runs shard $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_TASK_COUNT (--shard auto). A task that is
#      requeued (preemption, node failure) goes on from its last finished epoch.
#   3. Merge:  npm run lab -- --merge $SWEEP/manifest.json --out $SWEEP/all.json
#SBATCH --job-name=fairdistill-sweep
#SBATCH --gres=gpu:1
#SBATCH --cpus-per-task=2
#SBATCH --mem=16G
#SBATCH --time=04:00:00
#SBATCH --requeue
#SBATCH --output=%x-%A_%a.log
set -euo pipefail
: "${SWEEP:?set SWEEP to the shared sweep folder that holds manifest.json}"
cd "${FAIRDISTILL_HOME:-$SLURM_SUBMIT_DIR}"
# Alternatively run the container: srun podman run --device nvidia.com/gpu=all -v "$SWEEP:/sweep" fairdistill-lab …
srun npx tsx src/cli/lab.ts --manifest "$SWEEP/manifest.json" --shard auto --backend "${BACKEND:-webgpu}"
