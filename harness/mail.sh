#!/usr/bin/env bash
# The mails that post a series, signed by whoever runs this:
#
#   mail.sh NAME [OUTDIR]    NAME: mainline-msi, mainline-vfio, series or
#                            followup (mainline-rfc, held back, with
#                            POST_RFC=1); OUTDIR: build/mail/NAME
#
# The patches in the repository are unsigned (README, "Sign-off"): no
# person signs for this project, and nothing here may invent one. A person
# who has read them and can certify the Developer's Certificate of Origin
# posts them under their own name: this script takes that identity from
# WB_SIGNOFF ("Name <email>") or else from git config user.name and
# user.email, refuses one that is not a person's (placeholder_identity),
# makes it the author and committer of every patch, adds its
# Signed-off-by, and writes the cover letter and patches, addressed as
# scripts/get_maintainer.pl says for the mainline series, to OUTDIR.
. "$(dirname "$0")/lib.sh"

name=${1:?usage: mail.sh NAME [OUTDIR]}
on_line_of_series "$name" "$0" "$@"
out=${2:-$WB_BUILD/mail/$name}
base=$(series_base "$name")
# The vfio cover leaves the RFC out and asks whether anyone needs it.
[ "$name" != mainline-rfc ] || [ "${POST_RFC:-0}" = 1 ] ||
	die "mainline-rfc is held back (mainline/README.md): POST_RFC=1 once some user space needs it"

if [ -n "${WB_SIGNOFF:-}" ]; then
	signer=${WB_SIGNOFF% <*} email=${WB_SIGNOFF##*<} email=${email%>}
	[ "$signer <$email>" = "$WB_SIGNOFF" ] || die "WB_SIGNOFF='$WB_SIGNOFF' is not of the form 'Name <email>'"
else
	signer=$(git -C "$WB_ROOT" config user.name || true)
	email=$(git -C "$WB_ROOT" config user.email || true)
	[ -n "$signer" ] && [ -n "$email" ] ||
		die "no identity to sign with: set git config user.name and user.email, or WB_SIGNOFF='Name <email>'"
fi
placeholder_identity "$signer" "$email" &&
	die "'$signer <$email>' is not a person's identity; the patches stay unsigned. Sign as yourself: WB_SIGNOFF='Name <email>'"

git_tree rev-parse -q --verify "$name" >/dev/null || die "no branch $name in $WB_TREE: run 'make tree'"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git clone -q --shared --no-checkout "$WB_TREE" "$tmp/repo"
repo=$tmp/repo
git -C "$repo" checkout -q -b "$name" "origin/$name" 2>/dev/null ||
	git -C "$repo" checkout -q -b "$name" "$(git_tree rev-parse "$name")"
git -C "$repo" tag -f "$base" "$(git_tree rev-parse "$base")" >/dev/null
# The cover's note that the repository's patches are unsigned is not for
# the list: the mails are signed.
git -C "$repo" config "branch.$name.description" \
	"$(git_tree config "branch.$name.description" | sed '/^These patches carry no Signed-off-by/,/^$/d')"
# Every commit re-authored and signed by the signer, its message unchanged.
GIT_AUTHOR_NAME=$signer GIT_AUTHOR_EMAIL=$email GIT_COMMITTER_NAME=$signer GIT_COMMITTER_EMAIL=$email \
	git -C "$repo" rebase -q --exec 'git commit -q --amend --no-edit --reset-author -s' "$base" >/dev/null ||
	die "signing the commits of $name failed"
rm -rf "$out"
mkdir -p "$out"
format_series "$repo" "$out" "$name"
say "$(ls "$out" | wc -l) mails of $name, signed by $signer <$email>, in ${out#"$WB_ROOT"/}"
