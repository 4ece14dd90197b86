#!/bin/bash
# bundle-add.sh DIR SUBDIR FILE...
#
# Copies extra files (static executables, scripts) into DIR/rootfs/SUBDIR of
# a bundle made by make-bundle.sh, keeping their modes. Used to put the
# conformance programs in the rootfs:
#   tests/bundle-add.sh BUNDLE conformance build/conformance/*
set -eu

if [ $# -lt 3 ]; then
	echo "usage: $0 DIR SUBDIR FILE..." >&2
	exit 2
fi
DIR=$1
SUB=${2#/}
shift 2
if [ ! -d "$DIR/rootfs" ]; then
	echo "$0: $DIR/rootfs does not exist (run make-bundle.sh first)" >&2
	exit 1
fi
mkdir -p "$DIR/rootfs/$SUB"
for f in "$@"; do
	[ -f "$f" ] || continue
	cp -p "$f" "$DIR/rootfs/$SUB/"
done
