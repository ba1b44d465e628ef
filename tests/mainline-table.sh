#!/usr/bin/env bash
# Mainline's vfio selftests (guest/mainline-selftests.sh), kernels side by
# side, as a markdown table: program, case (the IOMMU modes folded into
# one row when they agree), device, one result column per kernel, and the
# reason of a SKIP or FAIL.
#
#   mainline-table.sh KERNEL=TAP...   e.g. stock73=a.tap mainline=b.tap
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: mainline-table.sh KERNEL=TAP..." >&2; exit 2; }

for arg in "$@"; do
	k=${arg%%=*} f=${arg#*=}
	# "# dev: PROGRAM BDF" starts a program; "ok N dev: fixture.mode.case
	# # SKIP why" is a result -> program, case, dev, kernel, result, why
	awk '/^# [a-z-]+: vfio_[a-z_]+ [0-9a-f:.]+$/ { prog = $3; next }
	     /^(not )?ok / { print prog "|" $0 }' "$f" |
	sed -n -E 's/^([^|]*)\|(not )?ok [0-9-]+ ?-? ?([a-z-]+): (.*)$/\1|\2|\3|\4/p' |
	while IFS='|' read -r prog neg dev rest; do
		why='' res=PASS
		[ -n "$neg" ] && res=FAIL
		case $rest in *' # SKIP'*) res=SKIP why=${rest#*# SKIP } rest=${rest%% # SKIP*} ;; esac
		case=${rest#*.}
		[ "$case" != "$rest" ] || case='(whole program)'
		case=$(sed -E 's/^(vfio_type1v2_iommu|vfio_type1_iommu|iommufd_compat_type1v2|iommufd_compat_type1|iommufd)(_|\.)/*\2/' <<<"$case")
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$prog" "$case" "$dev" "$k" "$res" "$why"
	done
done | awk -F'\t' -v kernels="$(for a in "$@"; do printf '%s ' "${a%%=*}"; done)" '
	BEGIN { nk = split(kernels, ks, " ") }
	{
		row = $1 "\t" $2 "\t" $3
		if (!(row in seen)) { seen[row] = 1; order[++n] = row }
		r = res[row, $4]
		# Folded IOMMU modes: the row shows one result when all agree.
		if (r == "" ) res[row, $4] = $5
		else if (r != $5 && index(r, $5) == 0) res[row, $4] = r "/" $5
		cnt[row, $4]++
		if ($6 != "" && !(row in why)) why[row] = $6
	}
	END {
		printf "| program | case | device |"
		for (i = 1; i <= nk; i++) printf " %s |", ks[i]
		printf " reason |\n|---|---|---|"
		for (i = 1; i <= nk; i++) printf "---|"
		printf "---|\n"
		for (j = 1; j <= n; j++) {
			split(order[j], f, "\t")
			printf "| %s | %s | %s |", f[1], f[2], f[3]
			for (i = 1; i <= nk; i++) {
				r = res[order[j], ks[i]]
				c = cnt[order[j], ks[i]]
				printf " %s |", r == "" ? "-" : (c > 1 ? r " (" c ")" : r)
			}
			printf " %s |\n", why[order[j]]
		}
	}'
