#!/usr/bin/env bash
# Queue-mode benchmark (issue #17, item 6): RUNS lattice Lotka-Volterra runs (the bundled model, STEPS snapshots)
# through the local worker pool (1 and 2 threads) and through the queue (1 and 2 local `srn-bench worker`s, one
# thread each, started and connected before the clock starts). Prints one line per mode: wall seconds of the
# submitting command, CPU seconds of the submitter and of the workers during the run, shards, and the per-shard
# overhead against the 1-thread local run, (wall_queue - wall_local) * workers / shards, and the 1-minute load
# average at the start and end of each mode. Every process runs under `nice -n ${NICE:-10}` (the machine is shared).
# Usage: bench/queue.sh [MODE ...]   MODE in local-1 local-2 queue-1 queue-2 (default all); RUNS, STEPS, SHARD env.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10000}
STEPS=${STEPS:-500}
SHARD=${SHARD:-250}
MODEL=../../packages/gillespie/examples/lattice/lotka-volterra.lattice
TSX=$(node -e "console.log(require('node:url').pathToFileURL(require.resolve('tsx')).href)")
CLI=(nice -n "${NICE:-10}" node --conditions=@srn/source --import "$TSX" test/cli-runner.ts)
WORK=$(mktemp -d)
PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --daemonize yes --pidfile "$WORK/redis.pid" --dir "$WORK" >/dev/null
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  kill "$(cat "$WORK/redis.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
# One run: MODE; prints the result line.
run() {
  local mode=$1 kind=${1%-*} n=${1#*-} args=(lattice simulate "$MODEL" --runs "$RUNS" --steps "$STEPS" --seed 1 --trajectories none --out "$WORK/out-$1")
  local workers=() before=0 after=0
  if [ "$kind" = queue ]; then
    redis-cli -p "$PORT" flushall >/dev/null
    for ((w = 0; w < n; w++)); do
      "${CLI[@]}" worker --queue "redis://127.0.0.1:$PORT" --concurrency 1 --quiet >"$WORK/worker-$w.log" 2>&1 &
      workers+=($!)
      PIDS+=($!)
    done
    for w in "${!workers[@]}"; do until grep -q "srn-bench worker (" "$WORK/worker-$w.log" 2>/dev/null; do sleep 0.2; done; done
    # Warm each worker's thread (the first shard loads the TypeScript loader) outside the measured run.
    "${CLI[@]}" lattice simulate "$MODEL" --runs "$n" --steps 2 --seed 9 --trajectories none --queue "redis://127.0.0.1:$PORT" --shard-size 1 --out "$WORK/warm" >/dev/null
    for pid in "${workers[@]}"; do before=$((before + $(ticks "$pid"))); done
    args+=(--queue "redis://127.0.0.1:$PORT" --shard-size "$SHARD")
  else
    args+=(--workers "$n")
  fi
  local t0 t1
  local load0
  load0=$(cut -d' ' -f1 /proc/loadavg)
  t0=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$WORK/time" "${CLI[@]}" "${args[@]}" >/dev/null
  t1=$(date +%s.%N)
  if [ "$kind" = queue ]; then
    for pid in "${workers[@]}"; do after=$((after + $(ticks "$pid"))); kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; done
  fi
  read -r user sys <"$WORK/time"
  node -e "
    const [mode, wall, user, sys, wticks, hz, shards, load0, load1] = process.argv.slice(1);
    const cpu = Number(user) + Number(sys), wcpu = Number(wticks) / Number(hz);
    console.log([mode, (+wall).toFixed(1), cpu.toFixed(1), wcpu.toFixed(1), shards, load0 + '-' + load1].join('\t'));
  " "$mode" "$(echo "$t1 - $t0" | bc)" "$user" "$sys" "$((after - before))" "$HZ" "$(if [ "$kind" = queue ]; then echo $(( (RUNS + SHARD - 1) / SHARD )); else echo -; fi)" "$load0" "$(cut -d' ' -f1 /proc/loadavg)"
  md5sum "$WORK/out-$mode/moments.csv" | cut -d' ' -f1 >"$WORK/md5-$mode"
}
echo -e "mode\twall_s\tsubmitter_cpu_s\tworkers_cpu_s\tshards\tload_1min_start-end"
MODES=("$@")
[ ${#MODES[@]} -eq 0 ] && MODES=(local-1 local-2 queue-1 queue-2)
for mode in "${MODES[@]}"; do run "$mode"; done
echo "moments.csv identical across modes: $(cat "$WORK"/md5-* | sort -u | wc -l | sed 's/^1$/yes/')"
