#!/usr/bin/env bash
# The sparse that the 7.3 line's hygiene runs: 7.3's Makefile runs the
# checker only when it understands __typeof_unqual__
# (scripts/checker-valid.sh), and bookworm's sparse 0.6.4 does not, so C=2
# would silently check nothing. Debian's sid carries sparse 0.6.5~rc1,
# which does; its source package (one pinned version, its upstream
# tarball's sha256 checked) is built here into build/tools/sparse-VERSION,
# nothing installed. Prints the binary's path. The 6.12 line keeps
# bookworm's sparse.
. "$(dirname "$0")/lib.sh"

SPARSE_SUITE=sid
SPARSE_VERSION=0.6.5~rc1-2
SPARSE_ORIG=sparse_0.6.5~rc1.orig.tar.gz
SPARSE_ORIG_SHA256=3ac8855ec7f3ab92f325be0f64347ccc2b10f8b4d7c2906783ee8e2bdab3f0de

# Stripped, build ID included: its debug information names the directory
# it was built in, and the build ID hashes that too. The hygiene records
# hash the binary (hygiene_inputs in lib.sh), so an unstripped build
# would never match a record made in another clone.
bin=$(sparse_path 7.3)
[ -x "$bin" ] && { echo "$bin"; exit 0; }

build_sparse() {
	local src=$WB_BUILD/dl/sparse-$SPARSE_VERSION dir
	apt_suite "$SPARSE_SUITE" deb-src
	mkdir -p "$src"
	if ! verify_deb "$src/$SPARSE_ORIG" "$SPARSE_ORIG_SHA256" 2>/dev/null; then
		apt-get "${APT_OPTS[@]}" update -q || return 1
		(cd "$src" && apt-get "${APT_OPTS[@]}" source --download-only -q "sparse=$SPARSE_VERSION") || {
			echo "cannot download the source of sparse $SPARSE_VERSION from $SPARSE_SUITE: is the archive reachable, and the version still in it?"
			return 1
		}
		verify_deb "$src/$SPARSE_ORIG" "$SPARSE_ORIG_SHA256" || return 1
	fi
	dir=$(dirname "$(dirname "$bin")")/src
	rm -rf "$dir" && mkdir -p "$dir" &&
		tar -xzf "$src/$SPARSE_ORIG" -C "$dir" --strip-components=1 &&
		make -C "$dir" -j"$WB_JOBS" sparse HAVE_LLVM=no HAVE_GTK=no HAVE_LIBXML=no HAVE_SQLITE=no &&
		install -D -m 755 "$dir/sparse" "$bin" &&
		strip --strip-all -R .note.gnu.build-id "$bin" &&
		rm -rf "$dir"
}
run_step "building sparse $SPARSE_VERSION from $SPARSE_SUITE's source package" \
	"$WB_LOGS/sparse-build.log" build_sparse
echo "$bin"
