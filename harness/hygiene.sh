#!/usr/bin/env bash
# The kernel test robot's checks, for every patch of a series (TAP):
#
#   hygiene.sh [NAME]   NAME: series (default, on the baseline), followup
#                       (on stock), mainline-msi or mainline-vfio (on
#                       v7.3.4), mainline-rfc (on mainline-vfio); see
#                       series_base in lib.sh
#
#  - the series applies with git am to a freshly extracted base (+ the
#    baseline for the series), and format-patch regenerates every file of
#    NAME/ (cover letter text and base-commit included);
#  - per patch, applied in order: W=1 builds of the test config (vfio as
#    modules, through modpost) and of CONFIG_PCI_MSI=n with vfio built
#    in; sparse on the C files it touches; checkpatch --strict; kernel-doc
#    on touched C files and headers; codespell on the commit message; a
#    patch to a file only arm64 compiles (drivers/irqchip/, arch/arm64/)
#    is also built, and sparse-checked, as the arm64 test kernel;
#  - a clang (LLVM=1) W=1 build of the objects the final series reaches,
#    and of the modules that hold them, linked by ld.lld and checked by
#    modpost (HYGIENE_CLANG=full: the whole kernel and its modules).
# A warning that the series' base does not have fails the patch; the
# report names the patch and the warning. Builds are incremental in the
# work tree's own output directories (build/out/NAME-*). When every check
# passes, NAME/hygiene-passed records a digest of what they read
# (hygiene_inputs in lib.sh), for make check to tell a frozen series'
# checks still hold.
. "$(dirname "$0")/lib.sh"
. "$WB_ROOT/harness/kbuild.sh"

series=${1:-series}
on_line_of_series "$series" "$0" "$@"
base=$(series_base "$series")
sdir=$(series_dir "$series")
# What this run reads, taken before it reads it.
inputs=$(hygiene_inputs "$series")
H=$WB_BUILD/hygiene
[ "$series" = series ] || H=$WB_BUILD/hygiene-$series
rm -rf "$H"
mkdir -p "$H/ref"
t_start=$(date +%s)
. "$WB_ROOT/harness/tap.sh"

# maintained_new_files COMMIT (checked out): every file COMMIT adds falls
# under a MAINTAINERS subsystem of its own (not only "THE REST").
maintained_new_files() {
	local f
	while read -r f; do
		(cd "$WB_TREE" && scripts/get_maintainer.pl --no-git --no-git-fallback \
			--subsystem --no-email --no-rolestats -f "$f" 2>/dev/null) |
			grep -v -e '@' -e '^THE REST$' | grep -q . || return 1
	done < <(git_tree diff --name-only --diff-filter=A "$1^" "$1")
}

# The 7.3 line's sparse is built, not installed (harness/sparse-build.sh).
[ "$WB_SPARSE" = sparse ] || "$WB_ROOT/harness/sparse-build.sh" >/dev/null ||
	die "no sparse for the $WB_LINE line"
[ -z "$(git_tree status --porcelain --untracked-files=no)" ] ||
	die "$WB_TREE has uncommitted changes; commit them before the hygiene check"
mapfile -t commits < <(git_tree rev-list --reverse "$base..$series")
[ ${#commits[@]} -gt 0 ] || die "no $series commits above $base"
restore=$(git_tree symbolic-ref -q --short HEAD || git_tree rev-parse HEAD)
trap 'git_tree checkout -q "$restore"' EXIT
echo "TAP version 13"

# --- 1. git am on a fresh extraction, and the exported files round-trip ---
onto="base"
[ "$base" = base ] || onto="base + $base"
fresh_apply() {
	local fresh=$H/fresh
	extract_base "$fresh" || return 1
	case $base in
	base) ;;
	baseline) am_fixed "$fresh" $(baseline_patches) && git -C "$fresh" tag baseline || return 1 ;;
	# A series on top of another: that one's patches first.
	*) git -C "$fresh" checkout -q -b "$base" &&
	   am_fixed "$fresh" $(series_patches "$(series_dir "$base")") || return 1 ;;
	esac
	git -C "$fresh" checkout -q -b "$series" &&
	am_fixed "$fresh" $(series_patches "$sdir") &&
	[ "$(git -C "$fresh" rev-parse 'base^{tree}')" = "$(git_tree rev-parse 'base^{tree}')" ] &&
	[ "$(git -C "$fresh" rev-parse "$base^{tree}")" = "$(git_tree rev-parse "$base^{tree}")" ]
}
roundtrip() {
	local fresh=$H/fresh regen=$H/regen f
	git -C "$fresh" config "branch.$series.description" "$(cover_text "$sdir/0000-cover-letter.patch")"
	format_series "$fresh" "$regen" "$series" || return 1
	grep -q "^base-commit: $(git -C "$fresh" rev-parse "$(posting_base "$series")")$" "$regen/0000-cover-letter.patch" || {
		echo "regenerated cover letter has no base-commit of $(posting_base "$series")"; return 1; }
	for f in "$sdir"/*.patch; do
		diff -u -I '^Date: ' "$f" "$regen/$(basename "$f")" || return 1
	done
	[ "$(ls "$regen" | wc -l)" -eq "$(ls "$sdir"/*.patch | wc -l)" ]
}
if run_step "git am onto a fresh $onto" "$H/fresh.log" fresh_apply 2>/dev/null; then
	tap_result ok "$series applies with git am to a freshly extracted $onto"
	roundtrip >"$H/roundtrip.log" 2>&1 && tap_result ok "format-patch regenerates $series/ (cover letter text, base-commit)" ||
		tap_result fail "format-patch regenerates $series/ (cover letter text, base-commit)" "$H/roundtrip.log"
else
	tap_result fail "$series applies with git am to a freshly extracted $onto" "$H/fresh.log"
	tap_result fail "format-patch regenerates $series/ (skipped: no fresh tree)"
fi
rm -rf "$H/fresh"

# --- 2. per-patch checks --------------------------------------------------
changed_files() { git_tree diff --name-only --diff-filter=AM "$1"; }
kernel_c_files() { grep -E '\.c$' | grep -v '^tools/' || true; }
doc_files() { grep -E '\.[ch]$' | grep -v '^tools/' || true; }

# test builds vfio as modules, nomsi builds it in (configs/).
per_patch_variants=(test nomsi)
# A patch to a file that only arm64 compiles (the GICv3 ITS patches of
# follow-up v5 were such) is also built, and sparse-checked, as the arm64 test kernel.
arm64_only() { grep -qE '^(drivers/irqchip/|arch/arm64/)'; }
patch_variants() { # patch_variants COMMIT
	echo "${per_patch_variants[@]}"
	changed_files "$1^..$1" | arm64_only && echo arm64
	return 0
}
build_targets() {
	case $1 in
	test) echo vmlinux modules ;;
	*)       echo vmlinux ;;
	esac
}
hbuild() { # hbuild VARIANT LOG
	local out targets
	out=$(kernel_out "$series" "$1")
	read -ra targets <<<"$(build_targets "$1")"
	seed_out "$out" "$1" >"$2" 2>&1 &&
	kconfigure "$WB_TREE" "$out" "$1" >>"$2" 2>&1 &&
	kmake "$WB_TREE" "$out" "$1" "${targets[@]}" >>"$2" 2>&1
}
sparse_files() { # sparse_files LOG FILE...: in the x86 test build, or
	# for a file that only arm64 compiles, in the arm64 one
	local f objs=() arm=() rc=0
	for f in "${@:2}"; do
		if arm64_only <<<"$f"; then arm+=("${f%.c}.o")
		else objs+=("${f%.c}.o"); fi
	done
	: >"$1"
	[ ${#objs[@]} -eq 0 ] || kmake "$WB_TREE" "$(kernel_out "$series" test)" test C=2 "${objs[@]}" >>"$1" 2>&1 || rc=1
	[ ${#arm[@]} -eq 0 ] || kmake "$WB_TREE" "$(kernel_out "$series" arm64)" arm64 C=2 "${arm[@]}" >>"$1" 2>&1 || rc=1
	# Kbuild turns C=2 off, with only a warning, when the checker fails
	# its own test (scripts/checker-valid.sh): a check that did not run.
	if grep -q 'is not available or not up to date' "$1"; then
		echo "sparse did not run: $WB_SPARSE is not available or too old for this tree" >>"$1"
		rc=1
	fi
	return $rc
}
kdoc_files() { # kdoc_files LOG FILE...
	local f
	: >"$1"
	for f in "${@:2}"; do
		(cd "$WB_TREE" && scripts/kernel-doc -none "$f") >>"$1" 2>&1
	done
}

# Reference: the series' base, with everything the series touches rebuilt
# so that its warnings are on record.
mapfile -t all_touched < <(git_tree diff --name-only "$base" "$series")
mapfile -t ref_c < <(git_tree diff --name-only --diff-filter=M "$base" "$series" | kernel_c_files)
mapfile -t ref_doc < <(git_tree diff --name-only --diff-filter=M "$base" "$series" | doc_files)
git_tree checkout -q --detach "$base"
ref_variants=("${per_patch_variants[@]}")
printf '%s\n' "${all_touched[@]}" | arm64_only && ref_variants+=(arm64)
reference() {
	local v
	for v in "${ref_variants[@]}"; do
		# Again for each variant: a variant's first build starts from a
		# copy of another build (seed_out), whose objects may be newer than
		# a touch made before it, and a header's dependents would not be
		# rebuilt, nor their warnings recorded, in that variant.
		(cd "$WB_TREE" && for f in "${all_touched[@]}"; do [ -f "$f" ] && touch "$f"; done; true)
		say "reference build: $base $v"
		hbuild "$v" "$H/ref/build-$v.log" || return 1
		norm_warnings "$H/ref/build-$v.log" >"$H/ref/warn-$v"
	done
	sparse_files "$H/ref/sparse.log" "${ref_c[@]}" || return 1
	norm_warnings "$H/ref/sparse.log" >"$H/ref/warn-sparse"
	kdoc_files "$H/ref/kdoc.log" "${ref_doc[@]}"
	norm_warnings "$H/ref/kdoc.log" >"$H/ref/warn-kdoc"
	# The base's exports and modules, for the clang check (section 4).
	cp "$(kernel_out "$series" test)/Module.symvers" "$(kernel_out "$series" test)/modules.order" "$H/ref/"
}
run_step "$base reference builds (${ref_variants[*]})" "$H/ref.log" reference

# --- 3. every patch, in order ----------------------------------------------
i=0
for c in "${commits[@]}"; do
	i=$((i + 1))
	subj=$(git_tree log -1 --format=%s "$c")
	tag="patch $i/${#commits[@]} \"$subj\""
	d=$H/$(printf %02d "$i")
	mkdir -p "$d"
	git_tree checkout -q --detach "$c"
	t0=$(date +%s)
	for v in $(patch_variants "$c"); do
		if hbuild "$v" "$d/build-$v.log"; then
			new_warnings "$H/ref/warn-$v" "$d/build-$v.log" >"$d/new-$v"
			if [ -s "$d/new-$v" ]; then
				tap_result fail "$tag: $v W=1 build: new warnings" "$d/new-$v"
			else
				tap_result ok "$tag: $v W=1 build"
			fi
		else
			tail -n 30 "$d/build-$v.log" >"$d/fail-$v"
			tap_result fail "$tag: $v W=1 build fails" "$d/fail-$v"
		fi
	done
	mapfile -t cfiles < <(changed_files "$c^..$c" | kernel_c_files)
	if [ ${#cfiles[@]} -eq 0 ]; then
		tap_skip "$tag: sparse" "no kernel C file touched"
	elif sparse_files "$d/sparse.log" "${cfiles[@]}"; then
		new_warnings "$H/ref/warn-sparse" "$d/sparse.log" >"$d/new-sparse"
		[ -s "$d/new-sparse" ] && tap_result fail "$tag: sparse: new warnings" "$d/new-sparse" ||
			tap_result ok "$tag: sparse (${cfiles[*]})"
	else
		tap_result fail "$tag: sparse run fails" "$d/sparse.log"
	fi
	# Debian's python3 (not a PATH-first one) has the modules checkpatch needs.
	# checkpatch asks "does MAINTAINERS need updating?" of every patch that
	# adds a file; where MAINTAINERS names a subsystem for each, it need not.
	# Two more it cannot judge here: the patches are unsigned until a person
	# takes them (harness/mail.sh adds that person's Signed-off-by), and
	# the work trees are imports of Debian's source without upstream's
	# history, so the id of a Fixes: tag is unknown to them.
	cp_ignore=(--ignore MISSING_SIGN_OFF --ignore UNKNOWN_COMMIT_ID)
	maintained_new_files "$c" && cp_ignore+=(--ignore FILE_PATH_CHANGES)
	(cd "$WB_TREE" && git format-patch -1 --stdout "$c" | PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict --quiet "${cp_ignore[@]}" -) >"$d/checkpatch.log" 2>&1 &&
		tap_result ok "$tag: checkpatch --strict" || tap_result fail "$tag: checkpatch --strict" "$d/checkpatch.log"
	mapfile -t dfiles < <(changed_files "$c^..$c" | doc_files)
	kdoc_files "$d/kdoc.log" "${dfiles[@]}"
	new_warnings "$H/ref/warn-kdoc" "$d/kdoc.log" >"$d/new-kdoc"
	[ -s "$d/new-kdoc" ] && tap_result fail "$tag: kernel-doc: new warnings" "$d/new-kdoc" ||
		tap_result ok "$tag: kernel-doc -none (${#dfiles[@]} files)"
	git_tree log -1 --format=%B "$c" | codespell - >"$d/codespell.log" 2>&1 &&
		tap_result ok "$tag: codespell on the commit message" || tap_result fail "$tag: codespell on the commit message" "$d/codespell.log"
	say "$tag checked in $(($(date +%s) - t0))s"
done

# --- 4. clang on the final series ------------------------------------------
# A full clang kernel is a second cold build of everything; the series
# changes only the objects whose sources or headers it touches. Those are
# read from the dependency files of the test build and built with clang,
# with the modules that hold them, at the baseline (the reference) and at
# the final series. The clang config is the test one, so ld.lld links
# the vfio modules. HYGIENE_CLANG=full builds and links the whole kernel
# and its modules instead.
full_clang() { [ "${HYGIENE_CLANG:-}" = full ]; }
clang_objects() {
	local pats=() f
	for f in "${all_touched[@]}"; do
		case $f in *.c | *.h | *.S) [[ $f == tools/* ]] || pats+=(-e "../$f") ;; esac
	done
	[ ${#pats[@]} -gt 0 ] || return 0
	(cd "$(kernel_out "$series" test)" && grep -rlF --include='.*.o.cmd' "${pats[@]}" .) |
		sed -E 's#^\./##; s#(^|/)\.([^/]+)\.cmd$#\1\2#' | sort
}
# clang_modpost DIR SYMVERS KO...: with no vmlinux.o, Kbuild's modpost
# cannot tell the kernel's exports from unresolved symbols, so it runs
# with KBUILD_MODPOST_WARN=1. Run modpost again on KO..., reading the
# exports of SYMVERS (the gcc test build's, same source and config)
# less those of KO... themselves, which modpost reads from their objects.
# Its files go to DIR.
clang_modpost() {
	local dir=$1 out flags rc=0 srcs=()
	out=$(kernel_out "$series" clang)
	[ -s "$2" ] || { echo "clang_modpost: no exports file $2"; return 1; }
	flags=$(modpost_flags "$out/.config") || return 1
	rm -rf "$dir" && mkdir -p "$dir/kbuild" || return 1
	printf '%s\n' "${@:3}" | sed 's/\.ko$/.o/' >"$dir/modules.order"
	awk -F'\t' 'FNR == NR { sub(/\.o$/, ""); mine[$0]; next } !($3 in mine)' \
		"$dir/modules.order" "$2" >"$dir/input.symvers" || return 1
	# modpost also writes each module's .mod.c. Keep Kbuild's, and their
	# times, so that the next build does not relink the modules for it.
	mapfile -t srcs < <(sed 's/\.o$/.mod.c/' "$dir/modules.order")
	(cd "$out" && cp -p --parents "${srcs[@]}" "$dir/kbuild/") || return 1
	# shellcheck disable=SC2086
	(cd "$out" && scripts/mod/modpost $flags -i "$dir/input.symvers" \
		-T "$dir/modules.order" -o "$dir/Module.symvers") || rc=$?
	cp -p -r "$dir/kbuild/." "$out/" || return 1
	return $rc
}
clang_build() { # clang_build LOG SYMVERS OBJECT... KO...
	local out t mods=()
	out=$(kernel_out "$series" clang)
	for t in "${@:3}"; do [[ $t == *.ko ]] && mods+=("$t"); done
	kconfigure "$WB_TREE" "$out" clang >"$1" 2>&1 || return 1
	if full_clang; then
		kmake "$WB_TREE" "$out" clang vmlinux modules >>"$1" 2>&1
		return
	fi
	# A vmlinux.o left by a full run is stale, and modpost would read it.
	rm -f "$out/vmlinux.o"
	kmake "$WB_TREE" "$out" clang prepare >>"$1" 2>&1 || return 1
	kmake "$WB_TREE" "$out" clang KBUILD_MODPOST_WARN=1 "${@:3}" >"$1.kbuild" 2>&1 || {
		cat "$1.kbuild" >>"$1"; return 1; }
	# Kbuild's blind "undefined" reports are noise; clang_modpost's count.
	grep -vE '^WARNING: modpost: ("[^"]+" \[[^]]+\] undefined!|suppressed [0-9]+ unresolved symbol warnings)' \
		"$1.kbuild" >>"$1" || true
	[ ${#mods[@]} -eq 0 ] || clang_modpost "${1%.log}-modpost" "$2" "${mods[@]}" >>"$1" 2>&1
}
# lld_linked KO...: Kbuild's saved link command of every module is ld.lld.
lld_linked() {
	local out k cmd
	out=$(kernel_out "$series" clang)
	for k in "$@"; do
		cmd=$(dirname "$k")/.$(basename "$k").cmd
		grep -q "^savedcmd_$k := $(llvm_tool ld.lld) " "$out/$cmd" ||
			{ echo "$k: not linked by ld.lld:"; head -c 300 "$out/$cmd"; echo; return 1; }
	done
}
# The modpost check can fail: given no kernel exports, it must report the
# modules' imports from the kernel as undefined (6.12's modpost says
# '"SYM" [MODULE] undefined!', 7.3's "MODULE: symbol 'SYM' undefined!").
modpost_can_fail() {
	local log=$H/modpost-no-exports.log
	if awk -F'\t' '$3 != "vmlinux"' "$(kernel_out "$series" test)/Module.symvers" >"$H/no-kernel.symvers" &&
		! clang_modpost "$H/modpost-no-exports" "$H/no-kernel.symvers" "${kos[@]}" >"$log" 2>&1 &&
		grep -qE "^ERROR: modpost: (\".*\" \[.*\]|.*: symbol '.*') undefined!\$" "$log"; then
		tap_result ok "final series: the clang modpost check fails on a symbol the kernel does not export"
	else
		tap_result fail "final series: the clang modpost check passes modules whose kernel imports are not exported" "$log"
	fi
}
mapfile -t cobjs < <(clang_objects)
mods_read=true
clang_modules "$(kernel_out "$series" test)" "${cobjs[@]}" >"$H/clang-modules" || mods_read=false
mapfile -t kos <"$H/clang-modules"
$mods_read || kos=()	# the file holds the error instead
what="${#cobjs[@]} objects the series reaches, ${#kos[@]} modules"
full_clang && what="full kernel and modules"
git_tree checkout -q --detach "$base"
# The reference builds the objects whose source (.c or .S) exists at the
# base, and the modules the base has: what the series adds has no
# reference warnings to compare.
mapfile -t ref_cobjs < <(for o in "${cobjs[@]}"; do
	[ -f "$WB_TREE/${o%.o}.c" ] || [ -f "$WB_TREE/${o%.o}.S" ] && echo "$o"; done)
mapfile -t ref_kos < <(for k in "${kos[@]}"; do
	grep -qxF "${k%.ko}.o" "$H/ref/modules.order" && echo "$k"; done)
clang_ref() {
	if ! full_clang && [ $((${#ref_cobjs[@]} + ${#ref_kos[@]})) -eq 0 ]; then
		: >"$H/ref/build-clang.log"
	else
		clang_build "$H/ref/build-clang.log" "$H/ref/Module.symvers" "${ref_cobjs[@]}" "${ref_kos[@]}"
	fi
}
t0=$(date +%s)
if [ ${#cobjs[@]} -eq 0 ] && ! full_clang; then
	tap_skip "final series: clang W=1 build" "the series touches no kernel source"
elif ! $mods_read; then
	tap_result fail "final series: clang check: the gcc test build's modules cannot be read" "$H/clang-modules"
elif ! clang_ref; then
	tail -n 30 "$H/ref/build-clang.log" >"$H/fail-clang"
	tap_result fail "final series: clang reference build at $base fails" "$H/fail-clang"
else
	norm_warnings "$H/ref/build-clang.log" >"$H/ref/warn-clang"
	git_tree checkout -q --detach "$series"
	if clang_build "$H/clang.log" "$(kernel_out "$series" test)/Module.symvers" "${cobjs[@]}" "${kos[@]}"; then
		new_warnings "$H/ref/warn-clang" "$H/clang.log" >"$H/new-clang"
		[ -s "$H/new-clang" ] && tap_result fail "final series: clang W=1 build: new warnings" "$H/new-clang" ||
			tap_result ok "final series: clang (LLVM=1) W=1 build and modpost ($what)"
		if [ ${#kos[@]} -eq 0 ]; then
			tap_skip "final series: modules linked by ld.lld" "no module holds an object the series reaches"
		else
			lld_linked "${kos[@]}" >"$H/lld.log" 2>&1 &&
				tap_result ok "final series: ld.lld linked ${kos[*]}" ||
				tap_result fail "final series: modules not linked by ld.lld" "$H/lld.log"
			if ! full_clang; then modpost_can_fail; fi
		fi
	else
		tail -n 30 "$H/clang.log" >"$H/fail-clang"
		tap_result fail "final series: clang (LLVM=1) W=1 build fails" "$H/fail-clang"
	fi
fi
say "clang check ($what, $base and $series) took $(($(date +%s) - t0))s"

tap_end
say "hygiene of $series: $((tap_n - tap_failed))/$tap_n checks passed in $(($(date +%s) - t_start))s (logs: ${H#"$WB_ROOT"/})"
[ "$tap_failed" -eq 0 ] || exit 1
# On record, for make check to skip the check while its inputs are these.
printf 'inputs: %s\nchecks: %s, none failed, %s\n' "$inputs" "$tap_n" "$(date -u +%F)" \
	>"$sdir/hygiene-passed"
