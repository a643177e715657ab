#!/usr/bin/env bash
# The main job, end to end: build the provider, start the simulator (unless EPCC_* point at a real store),
# apply examples/seasonal-campaign through dev_overrides, print its outputs, destroy, and check that the store
# holds nothing of the campaign.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/elasticpath-demo.XXXXXX")
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

cleanup() {
	status=$?
	stop_sim && echo "demo: simulator stopped"
	[ -n "${DEMO_KEEP:-}" ] || rm -rf "$work"
	exit "$status"
}
trap cleanup EXIT

echo "demo: building the provider"
mkdir -p "$work/campaign"
build_provider "$work"

if [ -n "${EPCC_CLIENT_ID:-}" ] && [ -n "${EPCC_CLIENT_SECRET:-}" ] && [ -n "${EPCC_API_BASE_URL:-}" ]; then
	echo "demo: EPCC_* are set: applying to the store at $EPCC_API_BASE_URL"
else
	# Slower jobs than the default, so that progress shows: in TF_LOG=INFO output, and in the action's lines.
	start_sim "$work" -codes-per-second 400 -export-duration 1s
	echo "demo: simulator listening at $EPCC_API_BASE_URL"
fi

# A name of its own, so that a real store's promotions are never taken for the campaign's.
campaign="Summer 2026 demo $(date -u +%Y%m%dT%H%M%S)" # no filter syntax in it: the check after destroy filters by it
export TF_VAR_campaign_name="$campaign"
cp "$root"/examples/seasonal-campaign/*.tf "$work/campaign/"
cd "$work/campaign"

echo "demo: terraform apply (TF_LOG=TRACE goes to a file, checked for secrets at the end)"
TF_LOG=TRACE TF_LOG_PATH="$work/trace.log" terraform apply -auto-approve -input=false -no-color
echo
echo "demo: outputs"
terraform output -no-color
echo "demo: $(wc -l <summer-codes.txt) codes handed off through the ephemeral elasticpath_promotion_codes, never stored"
export_url=$(terraform output -raw export_url)
if command -v curl >/dev/null 2>&1; then
	curl -fsS "$export_url" >"$work/codes.csv"
	echo
	echo "demo: the export holds $(($(wc -l <"$work/codes.csv") - 1)) codes; its first lines:"
	head -n 4 "$work/codes.csv"
fi
echo
echo "demo: a fresh export on demand: terraform apply -invoke=action.elasticpath_export_promotion_codes.fresh_export"
terraform apply -auto-approve -input=false -no-color -invoke=action.elasticpath_export_promotion_codes.fresh_export |
	tee "$work/invoke.log"
grep -q 'fresh_export.*: job .* completed: export file ready' "$work/invoke.log" ||
	{ echo "demo: the export action reported no completed job" >&2; exit 1; }
echo
# What a nightly drift alarm runs: after an apply, the plan must be empty (exit 0; 2 would mean changes).
set +e
terraform plan -detailed-exitcode -input=false -no-color >"$work/plan.log" 2>&1
plan_exit=$?
set -e
if [ "$plan_exit" -ne 0 ]; then
	cat "$work/plan.log" >&2
	echo "demo: terraform plan -detailed-exitcode after apply exited $plan_exit, want 0 (no changes)" >&2
	exit 1
fi
echo "demo: terraform plan -detailed-exitcode after apply: no changes (exit 0)"
echo
echo "demo: terraform destroy"
terraform destroy -auto-approve -input=false -no-color

# After the teardown the store holds nothing of the campaign: its promotion is gone, and its codes and jobs
# with it.
if command -v curl >/dev/null 2>&1; then
	token=$(curl -fsS "$EPCC_API_BASE_URL/oauth/access_token" -d grant_type=client_credentials \
		--data-urlencode "client_id=$EPCC_CLIENT_ID" --data-urlencode "client_secret=$EPCC_CLIENT_SECRET" |
		sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p')
	left=$(curl -fsS -G "$EPCC_API_BASE_URL/v2/rule-promotions" -H "Authorization: Bearer $token" \
		--data-urlencode "filter=like(name,'$campaign')" | tr -d ' \n' | sed -n 's/.*"results":{"total":\([0-9]*\).*/\1/p')
	[ "$left" = 0 ] || { echo "demo: after destroy the store still holds $left promotion(s) named \"$campaign\"" >&2; exit 1; }
	echo "demo: after destroy the store holds no promotion named \"$campaign\""
fi

# The trace must be safe to paste into an issue: no client secret, no bearer token, no token answer.
if grep -q -F -e "$EPCC_CLIENT_SECRET" "$work/trace.log" ||
	grep -q -E 'Bearer [A-Za-z0-9._~+/=-]{8,}|access_token\\?" *: *\\?"[^*\\"]' "$work/trace.log"; then
	echo "demo: the TF_LOG=TRACE output leaks a credential" >&2
	exit 1
fi
grep -q 'path=/v2/rule-promotions/[^ ]*/jobs' "$work/trace.log" ||
	{ echo "demo: the trace holds no request lines; the log check proves nothing" >&2; exit 1; }
echo "demo: the TF_LOG=TRACE log ($(wc -l <"$work/trace.log") lines) holds no secret or token"
echo "demo: done"
