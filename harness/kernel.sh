#!/usr/bin/env bash
# Build one kernel of the workbench:  kernel.sh NAME [VARIANT]
#   NAME     stock | baseline | series
#   VARIANT  test (default) | modular | debug | nomsi
# Each NAME-VARIANT has its own output directory under build/out and is
# rebuilt incrementally through ccache. Prints the bzImage path last.
. "$(dirname "$0")/lib.sh"

name=${1:?usage: kernel.sh NAME [VARIANT]}
variant=${2:-test}
kernel_rev "$name" >/dev/null
src=$(kernel_src "$name")
out=$(kernel_out "$name" "$variant")
[ -d "$src" ] || die "$src is missing: run 'make tree' first"
case $variant in
test)    frags=(configs/test.config) ;;
modular) frags=(configs/test.config configs/modular.config) ;;
debug)   frags=(configs/test.config configs/debug.config) ;;
nomsi)   frags=(configs/test.config configs/nomsi.config) ;;
*)       die "unknown variant '$variant' (test, modular, debug or nomsi)" ;;
esac

# Reproducible version strings keep ccache hits across rebuilds.
export KBUILD_BUILD_TIMESTAMP="2024-11-17" KBUILD_BUILD_USER=wb KBUILD_BUILD_HOST=wb
kmake() { make -C "$src" O="$out" -j"$WB_JOBS" CC="ccache gcc" HOSTCC="ccache gcc" ${KMAKE_FLAGS:-} "$@"; }

# Every option a fragment sets must survive olddefconfig: a silently
# dropped option means a kernel that does not test what it claims.
check_config() {
	local frag line opt val got bad=0
	for frag in "${frags[@]}"; do
		while IFS= read -r line; do
			case $line in
			CONFIG_*=*) opt=${line%%=*} val=${line#*=} ;;
			"# CONFIG_"*" is not set") opt=${line#\# } opt=${opt%% *} val=n ;;
			*) continue ;;
			esac
			got=$(grep -E "^($opt=|# $opt is not set)" "$out/.config" || true)
			case $got in
			"$opt=$val") ;;
			"# $opt is not set") [ "$val" = n ] || { warn "$frag: $opt=$val became unset"; bad=1; } ;;
			*) [ "$val" = n ] && [ -z "$got" ] || { warn "$frag: $opt=$val became '${got:-absent}'"; bad=1; } ;;
			esac
		done <"$WB_ROOT/$frag"
	done
	return $bad
}

configure() {
	local f stamp=$out/.wb-config.sum sum
	sum=$(cd "$WB_ROOT" && cat "${frags[@]}" | sha256sum | cut -d' ' -f1)
	[ -f "$out/.config" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ] && return
	mkdir -p "$out"
	kmake tinyconfig
	for f in "${frags[@]}"; do
		"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$WB_ROOT/$f"
	done
	kmake olddefconfig
	check_config
	echo "$sum" >"$stamp"
}

build() {
	local targets=(bzImage)
	[ "$variant" = modular ] && targets+=(modules)
	kmake "${targets[@]}"
	if [ "$variant" = modular ]; then
		rm -rf "$out/modroot"
		kmake INSTALL_MOD_PATH="$out/modroot" modules_install
	fi
}

log=$WB_LOGS/kernel-$name-$variant.log
run_step "configuring $name-$variant" "$log.config" configure
run_step "building $name-$variant ($(git -C "$src" log --oneline -1 | cut -c1-60))" "$log" build
echo "$out/arch/x86/boot/bzImage"
