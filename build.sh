#!/usr/bin/env bash
# DDPM Studio's one entry point for developers and CI.
#   ./build.sh run [ARGS...]   install what is missing, build (Release), launch the desktop app
#   ./build.sh test            install what is missing, build, run every test headless (CTest)
#   ./build.sh build           install what is missing and build
#   ./build.sh fuzz [SECONDS]  build the fuzz targets (clang, libFuzzer, ASan, UBSan), run each SECONDS (60)
# Everything comes from Debian 12's archive; nothing is downloaded by hand.
set -euo pipefail
cd "$(dirname "$0")"

BUILD_DIR=${BUILD_DIR:-build}
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  qt6-base-dev libqcustomplot-dev libtorch-dev libopencv-dev zlib1g-dev
  libgloo-dev                   # the headers of LibTorch's c10d Gloo backend (ddpm train --nproc)
  libopenblas0-pthread          # LibTorch's Linear layers use BLAS: the reference one is >10x slower
  dataset-fashion-mnist         # the built-in fashion-mnist dataset
  libfreetype-dev libharfbuzz-dev fonts-noto-color-emoji unicode-data   # the built-in emoji set
  xvfb xauth                    # screenshots and headless GUI runs
  python3-numpy python3-regex   # the independent CLIP reference the tests compare with
  dpkg-dev desktop-file-utils appstream groff-base   # the .deb (dpkg-shlibdeps) and its test's validators
)

install_dependencies() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
}

build() {
  install_dependencies
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
  cmake --build "$BUILD_DIR"
}

# Each fuzz target runs for the given time on its corpus (kept in build-fuzz/corpus/),
# the generated seeds and the saved regression inputs. A finding is written to
# fuzz-findings/TARGET/ with the command that reproduces it; the run then fails.
fuzz() {
  local seconds=${1:-60} dir=${FUZZ_BUILD_DIR:-build-fuzz} failed=()
  PACKAGES+=(clang libclang-rt-14-dev)
  install_dependencies
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DDDPM_FUZZ=ON
  cmake --build "$dir"
  "$dir/bin/fuzz-seeds" "$dir/seeds" >/dev/null
  mkdir -p "$dir/logs"
  # LibTorch is not built with ASan: its own allocator pairs and start-up allocations are not ours to report.
  export ASAN_OPTIONS=alloc_dealloc_mismatch=0:detect_leaks=0 OMP_NUM_THREADS=1
  for binary in "$dir"/fuzz/fuzz_*; do
    local target=${binary##*/fuzz_}
    mkdir -p "$dir/corpus/$target" "fuzz-findings/$target"
    echo "== $target: ${seconds}s"
    if "$binary" -max_total_time="$seconds" -timeout=30 -malloc_limit_mb=1024 -rss_limit_mb=3072 \
         -print_final_stats=1 -artifact_prefix="fuzz-findings/$target/" \
         "$dir/corpus/$target" "$dir/seeds/$target" "tests/fuzz/regressions/$target" >"$dir/logs/$target.log" 2>&1; then
      grep -E "^stat::(number_of_executed_units|average_exec_per_sec)" "$dir/logs/$target.log" | tr '\n' ' '
      echo
    else
      failed+=("$target")
      tail -40 "$dir/logs/$target.log"
      # Beside each finding, the command that replays it.
      for finding in "fuzz-findings/$target"/*; do
        [ -e "$finding" ] || continue
        case $finding in *.command) continue ;; esac
        [ -e "$finding.command" ] || echo "ASAN_OPTIONS=$ASAN_OPTIONS $binary $finding" >"$finding.command"
        echo "reproduce: sh $finding.command  (log: $dir/logs/$target.log)"
      done
    fi
  done
  [ ${#failed[@]} -eq 0 ] || { echo "findings in: ${failed[*]}"; return 1; }
}

case "${1:-}" in
  run)
    shift
    build
    exec "$BUILD_DIR/bin/ddpm-studio" "$@"
    ;;
  test)
    build
    cd "$BUILD_DIR"
    QT_QPA_PLATFORM=offscreen ctest --output-on-failure
    ;;
  build)
    build
    ;;
  fuzz)
    shift
    fuzz "$@"
    ;;
  *)
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
