#!/bin/sh
# Crash safety: kills `ddpm train` with SIGKILL at random moments (saves come every
# 3 steps, so many kills land inside a checkpoint, snapshot, sample or metrics
# write), then checks that every file left behind is complete and that --resume
# carries on; a last run must finish the whole horizon.
#   kill_and_resume.sh DDPM ROUNDS WORKDIR [points|images [STEPS]]
# The test suite runs a few rounds of a 2-D toy over a short horizon; run it by hand with
# hundreds. With `images`, a small digits model whose every save also writes a sample grid
# PNG. STEPS is the run's horizon (120 for points, 60 for images).
set -eu
ddpm=$1 rounds=$2 work=$3 kind=${4:-points} steps=${5:-}
run=$work/run
rm -rf "$work"
mkdir -p "$work"
if [ "$kind" = images ]; then
  data=mnist steps=${steps:-60} model="--preset tiny --base-channels 8 --channel-mults 1,1 --attention 1 --batch 8"
else
  data=toy:moons steps=${steps:-120} model="--preset mlp --batch 32"
fi

fail() { echo "FAIL (round $round): $*" >&2; tail -5 "$work/log" >&2 || true; exit 1; }

start() {
  if [ -f "$run/model.ckpt" ]; then
    "$ddpm" train --data "$data" --resume "$run/model.ckpt" --out "$run" --save-every 3 --threads 1 >"$work/log" 2>&1 &
  else
    # shellcheck disable=SC2086  # the model's options are words
    "$ddpm" train --data "$data" $model --steps $steps --seed 1 --save-every 3 --out "$run" --threads 1 >"$work/log" 2>&1 &
  fi
  pid=$!
}

# Every CSV row has the header's number of fields and ends with a newline.
check_csv() {
  [ -s "$1" ] || return 0
  [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ] || fail "$1: last row is torn"
  awk -F, 'NR == 1 { n = NF } NF != n { print FILENAME ": row " NR " has " NF " fields, not " n; bad = 1 } END { exit bad }' "$1" \
    || fail "$1: a torn row"
}

# A PNG is whole when it ends with its IEND chunk.
check_png() {
  [ "$(tail -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 49454e44ae426082 ] || fail "$1: not a whole PNG"
}

# Every file written since the last check: the CSVs, the grids, the checkpoint and the new snapshots.
check_files() {
  [ -d "$run" ] || return 0
  for f in "$run"/*.csv; do [ -e "$f" ] && check_csv "$f"; done
  for f in "$run"/*.png; do [ -e "$f" ] && check_png "$f"; done
  snapshots=$(find "$run/checkpoints" -name 'step-*.ckpt' -newer "$work/checked" 2>/dev/null || true)
  touch "$work/checked"
  for ckpt in "$run/model.ckpt" $snapshots; do
    [ -e "$ckpt" ] || continue
    "$ddpm" info "$ckpt" >/dev/null 2>"$work/info.err" || fail "$ckpt does not load: $(cat "$work/info.err")"
  done
}

touch -d @0 "$work/checked"
round=0
while [ $round -lt "$rounds" ]; do
  round=$((round + 1))
  start
  # 0.2 … 2.2 s: start-up, the first saves, and mid-run.
  delay=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 2000 + 200 ))
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  check_files
done

round=final
start
wait "$pid" || fail "the resumed run did not finish"
check_files
last=$(tail -1 "$run/metrics.csv" | cut -d, -f1)
[ "$last" = "$steps" ] || fail "metrics.csv ends at step $last, not $steps"
rows=$(($(wc -l <"$run/metrics.csv") - 1))
[ "$rows" = "$steps" ] || fail "metrics.csv has $rows rows for $steps steps"
leftover=$(find "$run" -name '.*.tmp-*' | wc -l)
[ "$leftover" = 0 ] || fail "$leftover temporary files left behind"
echo "kill_and_resume: $rounds kills ($kind), every file whole, the run finished at step $steps"
