#!/usr/bin/env bash
# A sweep over a WIDER-format folder of 13,789 photos: planned, run as two shards side by side on one
# machine with a fresh chunk cache (one of them prepares the photos, the other waits on the cache's lock
# and finds them prepared), merged, then run again as one process from the same cache; the merged figures
# must equal the one process's (bench/widerSweepCheck.ts). Usage: bench/widerSweep.sh WIDER_DIR WORK_DIR
set -euo pipefail
WIDER=$1; W=$2
rm -rf "$W" && mkdir -p "$W"
SET=(--preset tiny --image-size 32 --teacher-epochs 1 --student-epochs 1 --methods kd --lambdas 0,1 --backend wasm)
lab() { node --import tsx src/cli/lab.ts "$@"; }
date +%s > "$W/t0"
lab --plan "$W/sweep/manifest.json" "${SET[@]}" --data "wider:$WIDER" --shards 2 > "$W/plan.log" 2>&1
for i in 0 1; do
  /usr/bin/time -v -o "$W/time-$i.txt" node --import tsx src/cli/lab.ts --manifest "$W/sweep/manifest.json" \
    --shard $i/2 --data-cache "$W/cache" --threads 1 > "$W/shard-$i.log" 2>&1 &
done
wait
date +%s > "$W/t1"
lab --merge "$W/sweep/manifest.json" --data-cache "$W/cache" --out "$W/merged.json" > "$W/merge.log" 2>&1
date +%s > "$W/t2"
lab "${SET[@]}" --data "wider:$WIDER" --data-cache "$W/cache" --threads 1 --quiet --out "$W/one.json" > "$W/one.log" 2>&1
date +%s > "$W/t3"
echo done > "$W/done"
