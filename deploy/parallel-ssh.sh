#!/usr/bin/env bash
# A sweep over a few machines with GNU parallel over ssh: one shard per machine slot, the sweep folder on
# a file system every machine mounts at the same path (NFS, or an object store mounted with s3fs/gcsfuse).
# Each machine needs either the self-contained runner at $KIT (npm run bundle -- --out DIR, copied or on
# the shared file system: nothing else installed) or the project checked out at $FAIRDISTILL_HOME (npm ci
# and npm run kernels done).
#
#   deploy/parallel-ssh.sh hosts.txt /shared/sweep 6      (hosts.txt: one "ssh login" per line, "N/host"
#                                                           for N slots; ":" is this machine)
# then: npm run lab -- --merge /shared/sweep/manifest.json --out all.json
# A shard that fails (killed, its machine rebooted) is tried up to RETRIES times (3), and goes on from its last finished
# epoch; rerunning the same line after a failure skips finished cells. RETRIES and LAB_ARGS (e.g.
# "--threads 1 --backend wasm") are optional. A sweep of photos (planned with --data) reads them where it was
# planned, or at DATA (e.g. DATA=wider:/data/WIDER: the same files on every machine), and each machine
# prepares them once into DATA_CACHE (default ~/.cache/fairdistill-data).
set -euo pipefail
hosts=${1:?hosts file}
sweep=${2:?shared sweep folder holding manifest.json}
shards=${3:?number of shards}
home=${FAIRDISTILL_HOME:-~/fairdistill-lab}
# exec: no npx or shell between ssh and the runner, so a stop signal reaches it (the kit's lab execs node).
if [ -n "${KIT:-}" ]; then runner="exec $KIT/lab"; else runner="cd $home && exec node --import tsx src/cli/lab.ts"; fi
parallel --sshloginfile "$hosts" --jobs 1 --line-buffer --tag --retries "${RETRIES:-3}" \
  "$runner --manifest $sweep/manifest.json --shard {}/$shards ${DATA:+--data $DATA} --data-cache ${DATA_CACHE:-~/.cache/fairdistill-data} ${LAB_ARGS:-}" \
  ::: $(seq 0 $((shards - 1)))
