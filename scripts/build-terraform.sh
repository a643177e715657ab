#!/usr/bin/env bash
# Builds a Terraform CLI from its Go module source and prints the binary's path. Nothing is downloaded as a
# binary: the source comes through the Go module proxy. The result is cached and reused.
#
#   scripts/build-terraform.sh v1.16.4     # Terraform (default)
#   scripts/build-terraform.sh v1.12.6 tofu # OpenTofu
#
# Logs go to stderr; stdout carries only the path, so callers can write bin=$(scripts/build-terraform.sh ...).
set -euo pipefail
version=${1:?usage: build-terraform.sh VERSION [terraform|tofu]}
flavour=${2:-terraform}
cache=${TERRAFORM_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-elasticpath}
out="$cache/$flavour-$version/$flavour"

# Built once per machine: a second call costs nothing.
if [ -x "$out" ]; then echo "$out"; exit 0; fi

case "$flavour" in
terraform) module=github.com/hashicorp/terraform ;;
tofu) module=github.com/opentofu/opentofu ;;
*) echo "build-terraform.sh: unknown flavour $flavour (terraform or tofu)" >&2; exit 2 ;;
esac

echo "building $flavour $version from its module source (a few minutes, once per machine)" >&2
# The module cache holds the source read-only; the build needs a copy it may edit.
# go mod download reports its errors in the JSON it prints: show them when it fails.
json=$(go mod download -json "$module@$version") || { echo "$json" >&2; exit 1; }
src=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$json")
[ -d "$src" ] || { echo "build-terraform.sh: go mod download gave no source for $module@$version" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/build-$flavour.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -R "$src/." "$work/"
chmod -R u+w "$work"
cd "$work"

# Modules served by the proxy must not rely on toolchain downloads or on the vendored workspace.
export GOFLAGS=-mod=mod GOTOOLCHAIN=local GOWORK=off

if [ "$flavour" = terraform ]; then
	# The module zip leaves out Terraform's nested modules (nine remote-state backends and internal/legacy),
	# which its go.mod replaces with local paths that do not exist in the zip: drop those requirements...
	nested='internal/backend/remote-state/(azure|consul|cos|gcs|kubernetes|oss|pg|s3|oci)|internal/legacy'
	sed -i -E "\#github.com/hashicorp/terraform/($nested)[ /]#d; \#github.com/hashicorp/terraform/($nested)\$#d" go.mod
	# ...and the nine backends from the backend registry. A provider's tests use the local backend only.
	sed -i -E "\#\"github.com/hashicorp/terraform/internal/backend/remote-state/(azure|consul|cos|gcs|kubernetes|oss|pg|s3|oci)\"#d" \
		internal/backend/init/init.go
	sed -i -E '/^[[:space:]]*"(azurerm|consul|cos|gcs|kubernetes|oss|pg|s3|oci)":[[:space:]]+func\(\)/d' internal/backend/init/init.go
	# The one test that imports internal/legacy is not built, but go mod tidy would look for it: remove it.
	rm -f internal/command/views/hook_count_test.go
	# A release build reports "Terraform vX.Y.Z", not "vX.Y.Z-dev".
	ldflags="-X github.com/hashicorp/terraform/version.dev=no"
	pkg=.
else
	ldflags="-X github.com/opentofu/opentofu/version.dev=no"
	pkg=./cmd/tofu
fi

mkdir -p "$(dirname "$out")"
# Built beside its final name and renamed, so a concurrent build never leaves a half-written binary there.
tmp=$(mktemp "$out.XXXXXX")
go build -trimpath -ldflags "$ldflags" -o "$tmp" "$pkg"
mv "$tmp" "$out"
echo "built $("$out" version 2>/dev/null | head -n 1) at $out" >&2
echo "$out"
