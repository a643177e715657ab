#!/usr/bin/env bash
# Every example as a user runs it: terraform fmt, then each example directory validated with the provider built
# from this tree, and the complete configurations applied or planned against the simulator. Resource examples
# are applied (and destroyed); "Summer 2026" and "$9 off", which the data source and action examples name,
# are the rule promotion's and the Standard promotion's examples, kept while the others run.
set -euo pipefail
shopt -s inherit_errexit # a failure inside $(...) stops the check too
cd "$(dirname "$0")/.."
root=$(pwd)
terraform fmt -check -recursive -diff examples

work=$(mktemp -d "${TMPDIR:-/tmp}/elasticpath-examples.XXXXXX")
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
trap 'stop_sim || true; rm -rf "$work"' EXIT
build_provider "$work"
start_sim "$work" -codes-per-second 100000 -export-duration 100ms -queue-delay 10ms

# stage DIR FILE... copies files into a fresh directory named after DIR, with the provider's source address
# (examples leave it out, as the Registry shows them).
stage() {
	local name=$1 dir
	shift
	dir="$work/$(echo "$name" | tr '/' '_')"
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$@" "$dir/"
	if ! grep -q required_providers "$dir"/*.tf 2>/dev/null; then
		printf 'terraform {\n  required_providers {\n    elasticpath = { source = "epcc-community/elasticpath" }\n  }\n}\n' >"$dir/_provider.tf"
	fi
	echo "$dir"
}

tf() { (cd "$1" && shift && terraform "$@" -no-color >"$work/last.log" 2>&1) || { cat "$work/last.log" >&2; return 1; }; }

checked=0
# Every directory validates; each import example with the resource it imports into.
for dir in examples/*/*/ examples/seasonal-campaign/; do
	dir=${dir%/}
	main=$(find "$dir" -maxdepth 1 -name '*.tf' ! -name 'import*' | sort)
	[ -n "$main" ] || main=""
	queries=$(find "$dir" -maxdepth 1 -name '*.tfquery.hcl')
	# shellcheck disable=SC2086
	staged=$(stage "$dir" $main $queries)
	tf "$staged" validate -query
	checked=$((checked + 1))
	for imp in "$dir"/import*.tf; do
		[ -e "$imp" ] || continue
		# shellcheck disable=SC2086
		staged=$(stage "$dir-$(basename "$imp")" $main "$imp")
		tf "$staged" validate
		checked=$((checked + 1))
	done
done
echo "examples: $checked configurations valid"

# apply DIR applies the example's configuration (its import examples left out) and prints where it is staged.
apply() {
	local d
	# shellcheck disable=SC2046
	d=$(stage "$1" $(find "$1" -maxdepth 1 -name '*.tf' ! -name 'import*'))
	tf "$d" apply -auto-approve -input=false
	echo "examples: $1 applied" >&2
	echo "$d"
}
fixtures=()
for dir in examples/resources/elasticpath_rule_promotion examples/resources/elasticpath_promotion; do
	fixtures+=("$(apply "$dir")")
done
for dir in examples/resources/elasticpath_promotion_code examples/resources/elasticpath_promotion_job; do
	d=$(apply "$dir")
	tf "$d" plan -detailed-exitcode -input=false || { echo "examples: $dir does not plan empty after its apply" >&2; exit 1; }
	tf "$d" destroy -auto-approve -input=false
done
# Codes on "Summer 2026" through the generate action's example, and an export of them, which the export
# ephemeral resource's example reads.
d=$(stage examples/actions/elasticpath_generate_promotion_codes examples/actions/elasticpath_generate_promotion_codes/*.tf)
tf "$d" apply -auto-approve -input=false -invoke=action.elasticpath_generate_promotion_codes.top_up
cat >"$d/export.tf" <<'TF'
action "elasticpath_export_promotion_codes" "fixture" {
  config {
    rule_promotion_id = data.elasticpath_rule_promotion.summer.id
  }
}
TF
tf "$d" apply -auto-approve -input=false -invoke=action.elasticpath_export_promotion_codes.fixture
echo "examples: examples/actions/elasticpath_generate_promotion_codes invoked"

# The campaign makes a "Summer 2026" of its own: it is planned under another name beside the fixture.
for dir in examples/data-sources/* examples/actions/* examples/ephemeral-resources/* examples/seasonal-campaign; do
	d=$(stage "$dir" "$dir"/*.tf)
	TF_VAR_campaign_name="Summer 2026 examples" tf "$d" plan -input=false
	echo "examples: $dir planned"
done
for dir in examples/list-resources/elasticpath_rule_promotion examples/list-resources/elasticpath_promotion; do
	d=$(stage "$dir" "$dir"/*.tfquery.hcl)
	tf "$d" query
	grep -q 'Summer 2026\|\$9 off' "$work/last.log" || { echo "examples: $dir found nothing" >&2; cat "$work/last.log" >&2; exit 1; }
	echo "examples: $dir queried"
done
for d in "${fixtures[@]}"; do tf "$d" destroy -auto-approve -input=false; done
echo "examples: all valid; resources applied, data sources, actions and the campaign planned, lists queried"
