#!/usr/bin/env bash
# Release rehearsal: goreleaser's own config check, then a snapshot release (no signing, no publishing) of the
# committed tree for this platform only, and a check that the files carry the names the Terraform Registry
# expects. goreleaser is built from its Go module source (about 2 minutes once, then cached by Go).
set -euo pipefail
cd "$(dirname "$0")/.."
goreleaser=(go run github.com/goreleaser/goreleaser/v2@v2.16.0)
project=terraform-provider-elasticpath
os=$(go env GOOS) arch=$(go env GOARCH)

work=$(mktemp -d "${TMPDIR:-/tmp}/release-check.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
# A clone, so that the rehearsal leaves no dist/ behind and its before-hook (go mod tidy) touches no file here.
git clone -q . "$work/repo"
cd "$work/repo"

"${goreleaser[@]}" check
# The real configuration, narrowed to this platform: every platform would take a quarter of an hour here.
sed -E "s/^( *)goos: \[.*\]/\1goos: [$os]/; s/^( *)goarch: \[.*\]/\1goarch: [$arch]/" .goreleaser.yml >"$work/goreleaser.yml"
"${goreleaser[@]}" release --snapshot --clean --skip=sign --config "$work/goreleaser.yml"

version=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' dist/metadata.json | head -n 1)
[ -n "$version" ] || { echo "release-check: no version in dist/metadata.json" >&2; exit 1; }
zip="dist/${project}_${version}_${os}_${arch}.zip"
sums="dist/${project}_${version}_SHA256SUMS"
manifest="${project}_${version}_manifest.json"
binary="${project}_v${version}"
fail() { echo "release-check: $*" >&2; ls dist >&2; exit 1; }

[ -f "$zip" ] || fail "no archive $zip"
contents=$(python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$zip" 2>/dev/null ||
	unzip -Z1 "$zip")
grep -qx "$binary" <<<"$contents" || fail "$zip holds no $binary (it holds: $contents)"
[ -f "$sums" ] || fail "no checksum file $sums"
grep -q " ${project}_${version}_${os}_${arch}.zip\$" "$sums" || fail "$sums does not list the archive"
grep -q " $manifest\$" "$sums" || fail "$sums does not list $manifest"
cmp -s terraform-registry-manifest.json "dist/$manifest" 2>/dev/null || [ ! -e "dist/$manifest" ] ||
	fail "dist/$manifest differs from terraform-registry-manifest.json"
echo "release-check: $zip holds $binary; $sums lists it and $manifest"
