#!/usr/bin/env bash
# Prints the path of the Terraform CLI that tests, docs and the demo use: a terraform of MIN_VERSION or newer
# found on PATH as is, otherwise the pinned version, built from source once (scripts/build-terraform.sh).
set -euo pipefail
pinned=${TERRAFORM_VERSION:-v1.16.4}
min=${TERRAFORM_MIN_VERSION:-1.14.0}

if found=$(command -v terraform 2>/dev/null); then
	# A shim that cannot say its version (exit non-zero) counts as too old, not as a failure.
	have=$(CHECKPOINT_DISABLE=1 "$found" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p' || true)
	# sort -V puts the smaller first: the PATH one is new enough when min sorts first (or equal).
	if [ -n "$have" ] && [ "$(printf '%s\n%s\n' "$min" "$have" | sort -V | head -n 1)" = "$min" ]; then
		echo "$found"
		exit 0
	fi
	echo "terraform $have on PATH is older than $min: using the pinned $pinned" >&2
fi
exec "$(dirname "$0")/build-terraform.sh" "$pinned"
