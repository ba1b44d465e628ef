#!/usr/bin/env bash
# Build the small host/guest tools of the tests into build/bin/:
#
#   tools-build.sh [NAME...]
#
# Every tests/*/NAME.c is one tool, built from that one file with
# gcc -O2 -Wall -Wextra -Werror: lib*.c becomes a shared object (for
# LD_PRELOAD) build/bin/lib*.so, anything else an executable build/bin/NAME.
# With NAMEs, only those are built. A tool newer than its source is kept.
# WB_BUILD=DIR builds into DIR/bin instead (the guest sees build/ read-only).
. "$(dirname "$0")/lib.sh"

CC=${CC:-gcc}
CFLAGS=${CFLAGS:--O2 -Wall -Wextra -Werror -g}
bin=$WB_BUILD/bin
mkdir -p "$bin"

want() {
	local n
	[ ${#wanted[@]} -eq 0 ] && return 0
	for n in "${wanted[@]}"; do [ "$n" = "$1" ] && return 0; done
	return 1
}
wanted=("$@")
found=0
for src in "$WB_ROOT"/tests/*/*.c; do
	[ -f "$src" ] || continue
	name=$(basename "$src" .c)
	case $name in
	lib*) out=$bin/$name.so flags=(-shared -fPIC) ;;
	*)    out=$bin/$name flags=() ;;
	esac
	want "$name" || want "$(basename "$out")" || continue
	found=$((found + 1))
	[ "$out" -nt "$src" ] && continue
	say "cc ${src#"$WB_ROOT"/} -> ${out#"$WB_ROOT"/}"
	# shellcheck disable=SC2086 # CFLAGS is a list of words
	"$CC" $CFLAGS "${flags[@]}" -o "$out.tmp" "$src" || die "cannot build $src"
	mv "$out.tmp" "$out"
done
[ "$found" -gt 0 ] || die "no tool source matches: ${wanted[*]:-tests/*/*.c}"
