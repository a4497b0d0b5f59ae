#!/usr/bin/env bash
# DDPM Studio's one entry point for developers and CI.
#   ./build.sh run [ARGS...]   install what is missing, build (Release), launch the desktop app
#   ./build.sh test            install what is missing, build, run every test headless (CTest)
#   ./build.sh build           install what is missing and build
# Everything comes from Debian 12's archive; nothing is downloaded by hand.
set -euo pipefail
cd "$(dirname "$0")"

BUILD_DIR=${BUILD_DIR:-build}
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  qt6-base-dev libqcustomplot-dev libtorch-dev libopencv-dev zlib1g-dev
  libopenblas0-pthread          # LibTorch's Linear layers use BLAS: the reference one is >10x slower
  dataset-fashion-mnist         # the built-in fashion-mnist dataset
  xvfb xauth                    # screenshots and headless GUI runs
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
  *)
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
