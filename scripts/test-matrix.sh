#!/usr/bin/env bash
# Runs the acceptance tests on each supported CLI and prints a table: CLI, version, passed, failed, skipped.
#   scripts/test-matrix.sh OLDEST_TERRAFORM PINNED_TERRAFORM OPENTOFU
# Each CLI except the PATH one is built from its Go module source once (scripts/build-terraform.sh).
# Tests that need a newer CLI than the one under test skip themselves; the table counts them as skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
oldest=${1:?oldest terraform version}
pinned=${2:?pinned terraform version}
tofu=${3:?opentofu version}
export CHECKPOINT_DISABLE=1 TF_ACC=1
out=$(mktemp -d "${TMPDIR:-/tmp}/test-matrix.XXXXXX")
trap 'rm -rf "$out"' EXIT
# A CLI configuration file that is named but missing makes OpenTofu print a warning on stdout, where the test
# framework reads the version: name an empty one instead.
if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -e "$TF_CLI_CONFIG_FILE" ]; then
	: >"$out/empty.tfrc"
	export TF_CLI_CONFIG_FILE="$out/empty.tfrc"
fi

clis=("terraform $oldest" "terraform $pinned")
if path_tf=$(command -v terraform 2>/dev/null); then clis+=("path $path_tf"); fi
clis+=("tofu $tofu")

rows=()
status=0
for entry in "${clis[@]}"; do
	read -r kind arg <<<"$entry"
	case "$kind" in
	terraform | tofu) bin=$(scripts/build-terraform.sh "$arg" "$kind") || { rows+=("$kind|$arg|build failed|-|-"); status=1; continue; } ;;
	path) bin=$arg ;;
	esac
	name=$(basename "$bin")
	label=$name
	[ "$kind" = path ] && label="$name (PATH)"
	version=$("$bin" version 2>/dev/null | head -n 1 | awk '{print $2}')
	# The test framework names the provider by namespace; OpenTofu resolves it under its own registry host.
	ns_env=(TF_ACC_PROVIDER_NAMESPACE=epcc-community)
	[ "$name" = tofu ] && ns_env+=(TF_ACC_PROVIDER_HOST=registry.opentofu.org)
	json="$out/$kind-$name-$version.json"
	echo "== $name $version ($bin)" >&2
	env "${ns_env[@]}" TF_ACC_TERRAFORM_PATH="$bin" go test -count=1 -json -timeout 30m -run '^TestAcc' ./internal/provider/ >"$json" 2>&1
	# Top-level acceptance tests only: subtests would count one case twice.
	count() { grep "\"Action\":\"$1\"" "$json" | grep -c '"Test":"TestAcc[^/"]*"'; }
	passed=$(count pass) failed=$(count fail) skipped=$(count skip)
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] || status=1
	if [ "$failed" -gt 0 ]; then
		grep '"Action":"fail"' "$json" | grep -o '"Test":"TestAcc[^/"]*"' | sort -u | sed 's/^/   failed: /' >&2
	fi
	rows+=("$label|$version|$passed|$failed|$skipped")
done

printf '\n| CLI | version | passed | failed | skipped |\n| --- | --- | --- | --- | --- |\n'
for r in "${rows[@]}"; do IFS='|' read -r a b c d e <<<"$r"; printf '| %s | %s | %s | %s | %s |\n' "$a" "$b" "$c" "$d" "$e"; done
exit "$status"
