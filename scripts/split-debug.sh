#!/usr/bin/env bash
# Splits an installed binary's debug information into BIN's directory/.debug/NAME.debug, where gdb
# finds it through the binary's debug link, and strips the binary.
# Usage: scripts/split-debug.sh BIN   (make install runs it)
set -euo pipefail
bin=${1:?usage: split-debug.sh BIN}
dir=$(dirname "$bin")
name=$(basename "$bin")
mkdir -p "$dir/.debug"
objcopy --only-keep-debug "$bin" "$dir/.debug/$name.debug"
chmod 0644 "$dir/.debug/$name.debug"
strip --strip-debug --strip-unneeded "$bin"
# The link names the file only: gdb looks for it beside the binary and in its .debug directory.
(cd "$dir/.debug" && objcopy --add-gnu-debuglink="$name.debug" "$bin")
echo "gatehouse: $bin stripped ($(du -h "$bin" | cut -f1)); debug information in $dir/.debug/$name.debug"
