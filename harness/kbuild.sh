# shellcheck shell=bash
# Kernel build functions (sourced after lib.sh): configure a variant from
# tinyconfig plus fragments, build it incrementally through ccache with W=1.

# Reproducible version strings keep ccache hits across rebuilds.
export KBUILD_BUILD_TIMESTAMP="2024-11-17" KBUILD_BUILD_USER=wb KBUILD_BUILD_HOST=wb

# What a kernel line needs beyond the others is in configs/line-LINE.config,
# the one place where the fragments differ by line.
LINE_FRAG=()
[ ! -f "$WB_ROOT/configs/line-$WB_LINE.config" ] || LINE_FRAG=("configs/line-$WB_LINE.config")
X86=(configs/common.config "${LINE_FRAG[@]}" configs/x86.config)
ARM64=(configs/common.config "${LINE_FRAG[@]}" configs/arm64.config)
variant_frags() {
	case $1 in
	test)       echo "${X86[@]}" ;;
	debug)      echo "${X86[@]}" configs/debug.config ;;
	nomsi)      echo "${X86[@]}" configs/nomsi.config ;;
	clang)      echo "${X86[@]}" configs/clang.config ;;
	arm64)      echo "${ARM64[@]}" ;;
	arm64debug) echo "${ARM64[@]}" configs/debug.config ;;
	*)          die "unknown variant '$1' (test, debug, nomsi, clang, arm64 or arm64debug)" ;;
	esac
}

# variant_arch VARIANT: the kernel's architecture (x86 or arm64); arm64
# variants are cross-built with Debian's gcc-aarch64-linux-gnu.
variant_arch() {
	case $1 in
	arm64*) echo arm64 ;;
	*)      echo x86 ;;
	esac
}

# kernel_image VARIANT: the boot image, relative to the output directory.
kernel_image() {
	case $(variant_arch "$1") in
	arm64) echo arch/arm64/boot/Image ;;
	*)     echo arch/x86/boot/bzImage ;;
	esac
}

# kmake SRC OUT VARIANT ARGS...: make in SRC with output in OUT. Every
# build is W=1: the hygiene check needs it, and one set of flags lets the
# test kernels and the per-patch builds share ccache entries. W=1 would
# also run kernel-doc, a perl process per compiled file that ccache cannot
# save; cmd_checkdoc= turns that off, and hygiene.sh runs kernel-doc on
# the files each patch touches instead.
kmake() {
	local src=$1 out=$2 variant=$3 cc=gcc hostcc=gcc
	shift 3
	[ "$variant" = clang ] && { cc=$(llvm_tool clang) hostcc=$cc; set -- LLVM="$WB_LLVM" "$@"; }
	if [ "$(variant_arch "$variant")" = arm64 ]; then
		cc=${ARM64_CROSS}gcc
		set -- ARCH=arm64 CROSS_COMPILE="$ARM64_CROSS" "$@"
	fi
	make -C "$src" O="$out" -j"$WB_JOBS" CC="ccache $cc" HOSTCC="ccache $hostcc" \
		CHECK="$WB_SPARSE" W=1 cmd_checkdoc= "$@"
}

# Every option the fragments set (the last one wins) must survive
# olddefconfig: a silently dropped option means a kernel that does not
# test what it claims.
check_config() {
	local out=$1 line opt val got bad=0
	local -A want=()
	shift
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) want[${line%%=*}]=${line#*=} ;;
		"# CONFIG_"*" is not set") opt=${line#\# } want[${opt%% *}]=n ;;
		esac
	done < <(cd "$WB_ROOT" && cat "$@")
	for opt in "${!want[@]}"; do
		val=${want[$opt]}
		got=$(grep -E "^($opt=|# $opt is not set)" "$out/.config" || true)
		case $got in
		"$opt=$val") ;;
		"# $opt is not set" | "") [ "$val" = n ] || { warn "$opt=$val became '${got:-absent}'"; bad=1; } ;;
		*) warn "$opt=$val became '$got'"; bad=1 ;;
		esac
	done
	return $bad
}

# kconfigure SRC OUT VARIANT: (re)write OUT/.config when the fragments changed.
kconfigure() {
	local src=$1 out=$2 variant=$3 f sum frags
	read -ra frags <<<"$(variant_frags "$variant")"
	sum=$(cd "$WB_ROOT" && cat "${frags[@]}" | sha256sum | cut -d' ' -f1)
	[ -f "$out/.config" ] && [ "$(cat "$out/.wb-config.sum" 2>/dev/null)" = "$sum" ] && return
	# Callers run this under || (set -e is off there): every step returns.
	mkdir -p "$out" && kmake "$src" "$out" "$variant" tinyconfig || return 1
	for f in "${frags[@]}"; do
		"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$WB_ROOT/$f" || return 1
	done
	kmake "$src" "$out" "$variant" olddefconfig || return 1
	check_config "$out" "${frags[@]}" || return 1
	echo "$sum" >"$out/.wb-config.sum"
}

# seed_out OUT VARIANT: a new output directory starts as a copy of a built
# one, so that Kbuild rebuilds what differs instead of a whole kernel
# (from ccache at best): VARIANT of another kernel, stock's first, where
# only the files that differ between the two commits are rebuilt (a
# checkout gives each a new mtime, newer than every object built before
# it); for nomsi, else the same kernel's test build, where Kbuild rebuilds
# the objects that depend on the options nomsi changes (it records them
# per object). The debug and clang variants change every object's flags:
# a copy would save nothing. The copy leaves out the other kernel's boot
# image and installed modules, so that a build that fails leaves none to
# boot, and goes into place whole; kconfigure then writes OUT's config
# and checks it.
seed_out() {
	local out=$1 variant=$2 from='' d tmp
	[ ! -e "$out/vmlinux" ] || return 0
	for d in "$WB_TREE"/out-stock*-"$variant" "$WB_TREE"/out-*-"$variant"; do
		[ "$d" != "$out" ] && [ -f "$d/vmlinux" ] && { from=$d; break; }
	done
	if [ -z "$from" ] && [ "$variant" = nomsi ] && [ -f "${out%-nomsi}-test/vmlinux" ]; then
		from=${out%-nomsi}-test
	fi
	[ -n "$from" ] || return 0
	echo "seed_out: $out starts as a copy of $from"
	tmp=$out.seed.$$
	rm -rf "$out" "$tmp" && cp -a "$from" "$tmp" &&
		rm -rf "$tmp"/arch/*/boot/*Image "$tmp/modroot" "$tmp/.wb-config.sum" &&
		mv "$tmp" "$out"
}

# kbuild SRC OUT VARIANT: the boot image (kernel_image), plus the modules,
# installed under
# OUT/modroot (vfio in the x86 test and clang variants, the nvme host driver
# in all).
kbuild() {
	local src=$1 out=$2 variant=$3 image
	image=$(basename "$(kernel_image "$variant")")
	seed_out "$out" "$variant" || return 1
	kconfigure "$src" "$out" "$variant" || return 1
	if grep -q '=m$' "$out/.config"; then
		kmake "$src" "$out" "$variant" "$image" modules &&
		rm -rf "$out/modroot" &&
		kmake "$src" "$out" "$variant" INSTALL_MOD_PATH="$out/modroot" modules_install
	else
		kmake "$src" "$out" "$variant" "$image"
	fi
}

# Compiler, linker, sparse, kernel-doc and modpost warnings of LOG...,
# normalised to "file: kind: message" so that a warning moving to another
# line is the same warning.
norm_warnings() {
	sed -n -E 's#^(\.\./)*([^ :]+):[0-9]+:([0-9]+:)? (warning|error): (.*)$#\2: \4: \5#p;
		   s#^(WARNING|ERROR): modpost: (.*)$#modpost: \1: \2#p;
		   s#^([^ :]*/)?(ld\.lld|ld): (warning|error): (.*)$#\2: \3: \4#p' "$@" |
		sed -E "s#^$WB_TREE/##" | sort -u
}
new_warnings() { # new_warnings REF LOG...: warnings not in REF
	[ -f "$1" ] || { echo "no reference warnings: $1"; return 1; }
	norm_warnings "${@:2}" | comm -23 - "$1"
}

# clang_modules OUT OBJECT...: the modules (.ko) of the test build in
# OUT that hold one of OBJECT..., read from their .mod files; fails when
# OUT's module list cannot be read. (hygiene.sh's clang check.)
clang_modules() {
	local mods=$1 m
	shift
	[ $# -gt 0 ] || return 0
	[ -f "$mods/modules.order" ] || { echo "no modules.order in $mods"; return 1; }
	while read -r m; do
		[ -f "$mods/${m%.o}.mod" ] || { echo "no ${m%.o}.mod in $mods"; return 1; }
		if grep -qxFf <(printf '%s\n' "$@") "$mods/${m%.o}.mod"; then echo "${m%.o}.ko"; fi
	done <"$mods/modules.order"
}
# modpost_flags CONFIG: the flags scripts/Makefile.modpost passes for
# CONFIG, with W=1; fails for a config whose modpost needs vmlinux.o.
modpost_flags() {
	local flags=(-M -W)
	[ -f "$1" ] || { echo "no config $1" >&2; return 1; }
	if grep -qx 'CONFIG_TRIM_UNUSED_KSYMS=y' "$1"; then
		echo "CONFIG_TRIM_UNUSED_KSYMS needs vmlinux.o; the clang check cannot run modpost" >&2
		return 1
	fi
	if grep -qx 'CONFIG_MODVERSIONS=y' "$1"; then flags+=(-m); fi
	if grep -qx 'CONFIG_MODULE_SRCVERSION_ALL=y' "$1"; then flags+=(-a); fi
	if ! grep -qx 'CONFIG_SECTION_MISMATCH_WARN_ONLY=y' "$1"; then flags+=(-E); fi
	if grep -qx 'CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS=y' "$1"; then flags+=(-N); fi
	echo "${flags[@]}"
}
