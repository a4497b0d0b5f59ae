#!/bin/sh
# Renders the hicolor PNG icons from the SVG. The PNGs are committed, so a build
# needs no SVG renderer; run this (Debian: librsvg2-bin) after editing the SVG.
set -eu
cd "$(dirname "$0")"
id=org.ddpmstudio.DDPMStudio
for size in 16 22 24 32 48 64 128 256; do
  mkdir -p "hicolor/${size}x${size}/apps"
  rsvg-convert --width "$size" --height "$size" "hicolor/scalable/apps/$id.svg" --output "hicolor/${size}x${size}/apps/$id.png"
done
