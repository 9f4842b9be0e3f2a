#!/usr/bin/env bash
# Records the real output of every nvidia-smi query StreamCap's GPU readers use,
# idle and under a real GPU load, into the folder given as $1, named and noted
# so they can be committed as test fixtures (see the README.md it writes there).
#
#   scripts/gpu-check.sh OUT_DIR
#
# Needs nvidia-smi. Uses ffmpeg with h264_nvenc for the load where it works (two
# encodes, as a pixel-streaming server runs them), else a CUDA load from PyTorch
# where present. Bounded: every command has a timeout; the whole run takes about
# a minute and a half. Idempotent: files in OUT_DIR are overwritten.
set -u
OUT=${1:?usage: scripts/gpu-check.sh OUT_DIR}
mkdir -p "$OUT"
cd "$OUT" || exit 1
# Must equal QUERY_GPU_FIELDS in shared/gpu/nvidia-smi.ts (test/core/gpu-check-script.test.ts checks it).
FIELDS=index,name,utilization.gpu,utilization.encoder,utilization.decoder,memory.used,memory.total,encoder.stats.sessionCount,encoder.stats.averageFps,temperature.gpu,power.draw
BASIC=index,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw
APPS=timestamp,gpu_name,gpu_bus_id,pid,process_name,used_gpu_memory
LOAD_PIDS=()
stop_load() { for p in "${LOAD_PIDS[@]}"; do kill "$p" 2>/dev/null; done; LOAD_PIDS=(); wait 2>/dev/null; }
trap stop_load EXIT
log() { echo "[gpu-check] $*" | tee -a check.txt; }
: > check.txt

command -v nvidia-smi >/dev/null || { log "FAIL nvidia-smi not found"; exit 2; }
T="timeout 20"
DRIVER=$($T nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -1 | tr -d ' ')
CARD=$($T nvidia-smi --query-gpu=name --format=csv,noheader | head -1 | sed 's/^NVIDIA //' | tr 'A-Z ' 'a-z-' | tr -cd 'a-z0-9-')
COUNT=$($T nvidia-smi -L | grep -c '^GPU ')
[ "$COUNT" -gt 1 ] && CARD="${CARD}x${COUNT}"
TAG="${CARD}-$(uname -s | tr 'A-Z' 'a-z')_drv${DRIVER}"
log "card $CARD, driver $DRIVER, $COUNT GPU(s); files tagged $TAG"

# One set of recordings, exactly as the readers ask (the long-running ones bounded with -c / -lms + timeout).
record() { # $1 = state (idle, load-nvenc2, load-cuda)
  local s=$1
  $T nvidia-smi --query-gpu=$FIELDS --format=csv,noheader,nounits > "query-gpu-noheader-nounits_${TAG}_${s}.csv" 2>&1
  $T nvidia-smi --query-gpu=$FIELDS --format=csv > "query-gpu-csv-sampler-fields_${TAG}_${s}.csv" 2>&1
  $T nvidia-smi --query-gpu=$BASIC --format=csv,noheader,nounits > "query-gpu-basic-noheader-nounits_${TAG}_${s}.csv" 2>&1
  # The reader's long-running form: three readings 1 s apart.
  timeout 4 nvidia-smi --query-gpu=$FIELDS --format=csv,noheader,nounits -lms 1000 > "query-gpu-lms1000_${TAG}_${s}.csv" 2>&1
  $T nvidia-smi pmon -s um -d 1 -c 5 > "pmon-s-um-c5_${TAG}_${s}.txt" 2>&1
  $T nvidia-smi dmon -c 5 > "dmon-c5_${TAG}_${s}.txt" 2>&1
  $T nvidia-smi -q -x > "nvidia-smi-q-x_${TAG}_${s}.xml" 2>&1
  $T nvidia-smi --query-compute-apps=$APPS --format=csv > "query-compute-apps-csv_${TAG}_${s}.csv" 2>&1
  log "recorded $s: $(ls -1 *_"${TAG}_${s}".* | wc -l) files"
}

util() { $T nvidia-smi --query-gpu=utilization.gpu,utilization.encoder,encoder.stats.sessionCount --format=csv,noheader,nounits | head -1; }

record idle
log "idle: utilization.gpu, utilization.encoder, sessions = $(util)"

# The load: two NVENC encodes where the card has NVENC (the H100/A100 have none), else CUDA.
STATE=""
if command -v ffmpeg >/dev/null && ffmpeg -hide_banner -encoders 2>/dev/null | grep -q h264_nvenc; then
  for k in 1 2; do
    timeout 60 ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc2=size=1920x1080:rate=60 -c:v h264_nvenc -b:v 8M -f null - > "ffmpeg-nvenc-$k.log" 2>&1 &
    LOAD_PIDS+=($!)
  done
  sleep 6
  if kill -0 "${LOAD_PIDS[0]}" 2>/dev/null; then STATE=load-nvenc2; else log "h264_nvenc did not start: $(head -3 ffmpeg-nvenc-1.log | tr '\n' ' ')"; stop_load; fi
else
  log "no ffmpeg with h264_nvenc"
fi
if [ -z "$STATE" ] && command -v python3 >/dev/null && timeout 30 python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
  timeout 60 python3 -c '
import torch, time
a = torch.randn(8192, 8192, device="cuda"); end = time.time() + 55
while time.time() < end: a = (a @ a).clamp_(-1, 1)
torch.cuda.synchronize()' > cuda-load.log 2>&1 &
  LOAD_PIDS+=($!)
  sleep 10
  kill -0 "${LOAD_PIDS[0]}" 2>/dev/null && STATE=load-cuda
fi

if [ -n "$STATE" ]; then
  log "load ($STATE) PIDs: ${LOAD_PIDS[*]}"
  record "$STATE"
  U=$(util)
  log "$STATE: utilization.gpu, utilization.encoder, sessions = $U"
  [ "${U%%,*}" -gt 0 ] 2>/dev/null && log "PASS utilization.gpu > 0 under load" || log "FAIL utilization.gpu is not > 0 under load"
  FOUND=0
  for p in "${LOAD_PIDS[@]}"; do
    # pmon lists the process that uses the GPU (python3/ffmpeg); timeout wraps it, so look for its children too.
    for c in $p $(pgrep -P "$p"); do grep -qE "^[[:space:]]+[0-9]+[[:space:]]+$c[[:space:]]" "pmon-s-um-c5_${TAG}_${STATE}.txt" && FOUND=1; done
  done
  [ $FOUND = 1 ] && log "PASS pmon lists a load process" || log "FAIL pmon does not list the load processes"
  [ "$STATE" = load-nvenc2 ] && { [ "$(echo "$U" | cut -d, -f3 | tr -d ' ')" = 2 ] && log "PASS encoder.stats.sessionCount = 2" || log "FAIL encoder.stats.sessionCount is not 2"; }
  stop_load
else
  log "no GPU load could be started (no h264_nvenc, no PyTorch with CUDA): idle recordings only"
fi

cat > README.md <<EOF
# GPU recordings from scripts/gpu-check.sh

Machine: $($T nvidia-smi -L | sed 's/(UUID.*)//' | tr '\n' ';'), driver $DRIVER, $(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ).
Load: ${STATE:-none}. Checks: see check.txt.

To commit them as fixtures:
1. Copy the files you want into test/fixtures/gpu/ (they are already named
   <query>_<card>-<os>_drv<driver>_<state>.<ext>, like the files there).
2. Add one row per file to test/fixtures/gpu/SOURCES.md: GPU, driver, OS, the
   command (see record() in scripts/gpu-check.sh), the load, "recorded by
   scripts/gpu-check.sh". UUIDs and serials are printed as they are: mask them
   the way SOURCES.md describes if the machine is not yours to publish.
3. Add a case for each to the table-driven tests in test/shared/gpu-*.test.ts
   (the query-gpu and pmon tests also check that every file of their kind has one).
EOF
log "done: $(ls -1 | wc -l) files in $OUT"
