#!/usr/bin/env bash
# Build one kernel of the workbench:  kernel.sh NAME [VARIANT]
#   NAME     stock (tag base) | baseline (tag baseline) | series (branch)
#            | followup (branch) | stock73 (the 7.3 tree's tag base)
#   VARIANT  test (default) | debug | nomsi | clang | arm64 | arm64debug
# All kernels of a line build from its one work tree, checked out at NAME's commit
# and put back afterwards, so that ccache and make share their work; each
# NAME-VARIANT keeps its own output directory under build/out. The series
# builds the tree as it is, uncommitted edits included. Prints the boot image.
. "$(dirname "$0")/lib.sh"
. "$WB_ROOT/harness/kbuild.sh"

name=${1:?usage: kernel.sh NAME [VARIANT]}
variant=${2:-test}
on_line_of "$name" "$0" "$@"
rev=$(kernel_rev "$name")
variant_frags "$variant" >/dev/null
out=$(kernel_out "$name" "$variant")
[ -d "$WB_TREE/.git" ] || die "$WB_TREE is missing: run 'make tree' first"

restore=
if [ "$name" != series ] &&
   [ "$(git_tree rev-parse HEAD)" != "$(git_tree rev-parse "$rev^{commit}")" ]; then
	[ -z "$(git_tree status --porcelain --untracked-files=no)" ] ||
		die "$WB_TREE has uncommitted changes; commit them before building $name"
	restore=$(git_tree symbolic-ref -q --short HEAD || git_tree rev-parse HEAD)
	git_tree checkout -q --detach "$rev"
	trap 'git_tree checkout -q "$restore"' EXIT
fi

mkdir -p "$out"
if [ -L "$WB_OUT/$name-$variant" ] || [ ! -e "$WB_OUT/$name-$variant" ]; then
	ln -sfn "$out" "$WB_OUT/$name-$variant"
else
	warn "$WB_OUT/$name-$variant is an old output directory; remove it so that it can link to $out"
fi
log=$WB_LOGS/kernel-$name-$variant.log
run_step "building $name-$variant ($(git_tree log --oneline -1 | cut -c1-60))" "$log" \
	kbuild "$WB_TREE" "$out" "$variant"
echo "$out/$(kernel_image "$variant")"
