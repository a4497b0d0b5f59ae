#!/bin/sh
# The monkey test, long, under a real X server (Xvfb): ROUNDS runs of ACTIONS random
# actions each, with new seeds; a failing run prints its seed (DDPM_MONKEY_SEED) and log.
#   tests/monkey.sh BUILD_DIR [ROUNDS] [ACTIONS]
set -eu
build=$1 rounds=${2:-5} actions=${3:-2000}
export DDPM_STUDIO_DATA_DIR="$build/share/ddpm-studio" DDPM_MONKEY_ACTIONS="$actions"
log=$(mktemp)
i=0
while [ $i -lt "$rounds" ]; do
  i=$((i + 1))
  if xvfb-run -a -s "-screen 0 1600x1000x24" "$build/tests/test_monkey" >"$log" 2>&1; then
    grep "monkey:" "$log"
  else
    cat "$log"
    echo "monkey.sh: round $i failed (log above)"
    exit 1
  fi
done
rm -f "$log"
