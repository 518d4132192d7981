#!/usr/bin/env bash
# A sweep over a few machines with GNU parallel over ssh: one shard per machine slot, the sweep folder on
# a file system every machine mounts at the same path (NFS, or an object store mounted with s3fs/gcsfuse).
# Each machine needs the project checked out at $FAIRDISTILL_HOME (npm ci done).
#
#   deploy/parallel-ssh.sh hosts.txt /shared/sweep 6      (hosts.txt: one "ssh login" per line, "N/host"
#                                                           for N slots; ":" is this machine)
# then: npm run lab -- --merge /shared/sweep/manifest.json --out all.json
# Rerun the same line after a failure: finished cells are skipped and a killed shard goes on.
set -euo pipefail
hosts=${1:?hosts file}
sweep=${2:?shared sweep folder holding manifest.json}
shards=${3:?number of shards}
home=${FAIRDISTILL_HOME:-~/fairdistill-lab}
parallel --sshloginfile "$hosts" --jobs 1 --line-buffer --tag --retries 2 \
  "cd $home && npx tsx src/cli/lab.ts --manifest $sweep/manifest.json --shard {}/$shards" ::: $(seq 0 $((shards - 1)))
