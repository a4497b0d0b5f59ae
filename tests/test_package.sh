#!/bin/sh
# test_package BUILD_DIR SOURCE_DIR: builds the Debian package from the built
# tree (cpack), unpacks it into a temporary root and runs what it installed from
# another folder, with no DDPM_STUDIO_DATA_DIR: the installed layout must find
# its data by itself, with no path into the build tree baked in anywhere.
set -eu
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset DDPM_STUDIO_DATA_DIR
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { echo "check: $*"; }

# The package
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/cpack" > "$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; exit 1; }
version=$("$build/bin/ddpm" --version | sed 's/^ddpm //')
deb="$work/cpack/ddpm-studio_${version}_$(dpkg --print-architecture).deb"
[ -f "$deb" ] || { ls "$work/cpack"; echo "FAIL: no $(basename "$deb")"; exit 1; }
check "$(basename "$deb") built"

depends=$(dpkg-deb --field "$deb" Depends)
echo "Depends: $depends"
for lib in libtorch libopencv-core libqt6widgets6 qt6-qpa-plugins libc6; do
  echo "$depends" | grep -q "$lib" || fail "Depends lacks $lib"
done
# Every dependency is a real Debian package (the build machine has them all).
for pkg in $(echo "$depends" | tr ',' '\n' | sed 's/(.*)//; s/ //g'); do
  dpkg-query -W "$pkg" > /dev/null 2>&1 || fail "Depends names '$pkg', which is no installed Debian package"
done
dpkg-deb --contents "$deb" | awk '{print $6}' | grep -v '^\./usr/' && fail "files outside /usr"

root="$work/root"
dpkg-deb -x "$deb" "$root"
ddpm="$root/usr/bin/ddpm"
share="$root/usr/share"

# Everything resources/ mirrors into the build tree is installed.
(cd "$build/share/ddpm-studio" && find . -type f) | while read -r f; do
  cmp -s "$build/share/ddpm-studio/$f" "$share/ddpm-studio/$f" || echo "FAIL: $f not installed as built"
done | tee "$work/missing"
[ -s "$work/missing" ] && failures=$((failures + 1))

# No path into the build tree, in binaries (RPATH included) or data.
if grep -rlF "$build" "$root"; then fail "the files above contain $build"; fi
for exe in "$ddpm" "$root/usr/bin/ddpm-studio"; do
  readelf -d "$exe" | grep -E 'RPATH|RUNPATH' | grep -F "$build" && fail "$exe has a build-tree RPATH"
done
check "no build-tree path in the package"

# The installed tools, run from elsewhere.
cd "$work"
[ "$("$ddpm" --version)" = "ddpm $version" ] || fail "ddpm --version"
"$ddpm" info mnist > info.txt || fail "ddpm info mnist"
grep -q "^images     10000, 28x28x1" info.txt || fail "ddpm info mnist: $(cat info.txt)"
grep -qF "source     $share/ddpm-studio/data/mnist/" info.txt || fail "mnist not read from the package: $(grep source info.txt)"
"$ddpm" sample "$share/ddpm-studio/models/mnist-tiny.ckpt" --sampler ddim --steps 3 -n 4 --threads 2 -o grid.png \
  || fail "ddpm sample with the shipped model"
[ "$(od -An -tx1 -N4 grid.png | tr -d ' ')" = "89504e47" ] || fail "sample grid is not a PNG"
[ "$("$root/usr/bin/ddpm-studio" --version)" = "ddpm-studio $version" ] || fail "ddpm-studio --version"
check "installed ddpm and ddpm-studio run from $work"

# Desktop integration
desktop-file-validate "$share/applications/org.ddpmstudio.DDPMStudio.desktop" || fail "desktop-file-validate"
metainfo="$share/metainfo/org.ddpmstudio.DDPMStudio.metainfo.xml"
appstreamcli validate --no-net "$metainfo" || fail "appstreamcli validate"
grep -q "<release version=\"$version\"" "$metainfo" || fail "metainfo has no release entry for $version"
# The variant with screenshots (when a web address for docs/screenshots is configured).
cmake -DIN="$source/packaging/org.ddpmstudio.DDPMStudio.metainfo.xml.in" -DOUT="$work/shots.metainfo.xml" \
  -DSCREENSHOT_BASE_URL=https://example.org/ddpm-studio/docs/screenshots -P "$source/packaging/GenerateMetainfo.cmake"
appstreamcli validate --no-net "$work/shots.metainfo.xml" || fail "appstreamcli validate (with screenshots)"
for shot in $(sed -n 's#.*<image>.*/\([^/]*\)</image>.*#\1#p' "$work/shots.metainfo.xml"); do
  [ -f "$source/docs/screenshots/$shot" ] || fail "metainfo screenshot $shot is not in docs/screenshots"
done
# The entry's icon and the metainfo's launchable are the installed files.
icon=$(sed -n 's/^Icon=//p' "$share/applications/org.ddpmstudio.DDPMStudio.desktop")
[ -f "$share/icons/hicolor/scalable/apps/$icon.svg" ] || fail "no SVG icon for Icon=$icon"
launchable=$(sed -n 's#.*<launchable type="desktop-id">\(.*\)</launchable>.*#\1#p' "$metainfo")
[ -f "$share/applications/$launchable" ] || fail "metainfo launches '$launchable', which is not installed"
for size in 16 22 24 32 48 64 128 256; do
  png="$share/icons/hicolor/${size}x${size}/apps/$icon.png"
  # PNG width and height: big-endian 32-bit at bytes 16 and 20.
  dims=$(od -An -tu1 -j16 -N8 "$png" | awk '{print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8}')
  [ "$dims" = "${size}x${size}" ] || fail "$png is $dims"
done
check "desktop entry, metainfo and icons"

# The man page: valid roff, and every verb and option of 'ddpm --help' described.
for page in ddpm ddpm-studio; do
  warnings=$(gzip -dc "$share/man/man1/$page.1.gz" | groff -man -ww -z 2>&1)
  [ -z "$warnings" ] || fail "$page.1: $warnings"
done
man=$(gzip -dc "$share/man/man1/ddpm.1.gz" | sed 's/\\-/-/g')
for verb in $("$ddpm" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p'); do
  echo "$man" | grep -q "^\.SS \"ddpm $verb " || fail "ddpm.1 has no section for '$verb'"
  for option in $("$ddpm" "$verb" --help | sed -n 's/^ *\(-[a-z], \)\{0,1\}\(--[a-z0-9-]*\).*/\2/p'); do
    echo "$man" | grep -qE -- "$option([^a-z0-9-]|\$)" || fail "ddpm.1 does not describe 'ddpm $verb $option'"
  done
done
check "man pages"

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "package OK"
