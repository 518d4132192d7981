#!/usr/bin/env bash
# A sweep on Slurm: one array task per shard; the sweep folder on a file system every node mounts.
#
#   1. Plan:   npm run lab -- --plan $SWEEP/manifest.json --preset lab --methods kd,rkd,ctkd,kdpp,dkd \
#                --lambdas 0,0.5,1,2 --seeds 0,1,2 --shards 8
#   2. Submit: SWEEP=/shared/sweep SHARDS=8 deploy/slurm-array.sh            (run it, do not sbatch it)
#      Run outside a job, the script submits itself as an array of SHARDS tasks with the resources the
#      variables ask for — all optional:
#        GPUS=1       GPUs per task (0 = a CPU-only partition; the default)  → backend webgpu, else wasm
#        CPUS=2       CPUs per task (the wasm backend runs one thread per CPU, up to 4)
#        MEM=8G       memory per task       TIME=04:00:00   time limit per task
#        PARTITION=…  ACCOUNT=…             SBATCH_ARGS="…" anything else for sbatch
#        LOGS=.       where the tasks' logs go (fairdistill-sweep-<job>_<task>.log, appended on a requeue)
#        BACKEND=…    overrides the backend chosen from GPUS
#        KIT=…        the self-contained runner (npm run bundle -- --out $KIT, on the shared file system):
#                     the nodes then need no Node.js or checkout; without it, the checkout's node runs
#        DATA=…       a sweep of photos (planned with --data wider:DIR or folder:DIR): where the nodes find
#                     them, if not at the planned path (same kind, same files: checked before decoding)
#        DATA_CACHE=… where a node keeps the prepared photos (default: $TMPDIR or /tmp, node-local, so each
#                     node prepares them once and its tasks share them; a shared folder works too)
#      e.g. a GPU partition:  SWEEP=/shared/sweep SHARDS=8 GPUS=1 PARTITION=gpu deploy/slurm-array.sh
#      Each task runs shard $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_TASK_COUNT (--shard auto). A task that is
#      requeued (scontrol requeue, preemption, node failure) gets SIGTERM: the runner stops after the
#      current step, releases a teacher lock it holds and exits 143; the requeued task goes on from the
#      last finished epoch.
#   3. Merge:  npm run lab -- --merge $SWEEP/manifest.json --out $SWEEP/all.json
set -euo pipefail
: "${SWEEP:?set SWEEP to the shared sweep folder that holds manifest.json}"
GPUS=${GPUS:-0}
if [ -z "${SLURM_JOB_ID:-}" ]; then
  : "${SHARDS:?set SHARDS to the number of shards the manifest was planned with}"
  # append: a requeued task's log keeps what the stopped run wrote.
  args=(--array="0-$((SHARDS - 1))" --job-name=fairdistill-sweep --requeue --output="${LOGS:-.}/%x-%A_%a.log" --open-mode=append
    --cpus-per-task="${CPUS:-2}" --mem="${MEM:-8G}" --time="${TIME:-04:00:00}" --export=ALL)
  [ "$GPUS" != 0 ] && args+=(--gres="gpu:$GPUS")
  [ -n "${PARTITION:-}" ] && args+=(--partition="$PARTITION")
  [ -n "${ACCOUNT:-}" ] && args+=(--account="$ACCOUNT")
  # shellcheck disable=SC2086 # SBATCH_ARGS is split on purpose
  exec sbatch "${args[@]}" ${SBATCH_ARGS:-} "$0"
fi
cd "${FAIRDISTILL_HOME:-$SLURM_SUBMIT_DIR}"
if [ -n "${KIT:-}" ]; then runner=("$KIT/lab"); else runner=(node --import tsx src/cli/lab.ts); fi
backend=${BACKEND:-$([ "$GPUS" != 0 ] && echo webgpu || echo wasm)}
threads=$((${SLURM_CPUS_PER_TASK:-1} < 4 ? ${SLURM_CPUS_PER_TASK:-1} : 4))
# Alternatively run the container: srun podman run --device nvidia.com/gpu=all -v "$SWEEP:/sweep" fairdistill-lab …
# exec: the batch shell is replaced, and srun passes Slurm's SIGTERM on to the runner (the kit's lab script
# execs node in turn).
exec srun --kill-on-bad-exit=1 "${runner[@]}" --manifest "$SWEEP/manifest.json" --shard auto \
  --backend "$backend" --threads "$threads" ${RESULTS:+--results "$RESULTS"} ${DATA:+--data "$DATA"} \
  --data-cache "${DATA_CACHE:-${TMPDIR:-/tmp}/fairdistill-data}"
