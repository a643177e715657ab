#!/usr/bin/env bash
# Runs every Go fuzz target of the project for FUZZTIME each and prints, per target, the executions and the new
# interesting inputs the run found. A failing input is written to the package's testdata/fuzz, where plain
# `go test` (and so `make test`) replays it from then on.
set -uo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-30s}
status=0
rows=()
for pkg in $(go list ./...); do
	# A package whose tests do not build fails the run rather than being skipped.
	targets=$(go test -list '^Fuzz' "$pkg") || { echo "fuzz: listing the targets of $pkg failed" >&2; status=1; continue; }
	for target in $(grep '^Fuzz' <<<"$targets"); do
		log=$(mktemp)
		result=ok
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" >"$log" 2>&1 || { result=FAILED; status=1; cat "$log" >&2; }
		last=$(grep 'fuzz: elapsed' "$log" | tail -n 1)
		execs=$(sed -n 's/.*execs: \([0-9]*\).*/\1/p' <<<"$last")
		interesting=$(sed -n 's/.*new interesting: \([0-9]*\).*/\1/p' <<<"$last")
		rows+=("${pkg#github.com/epcc-community/terraform-provider-elasticpath/}|$target|${execs:-?}|${interesting:-?}|$result")
		rm -f "$log"
	done
done
printf '\n| package | target | execs | new interesting | result |\n| --- | --- | --- | --- | --- |\n'
for r in "${rows[@]}"; do IFS='|' read -r a b c d e <<<"$r"; printf '| %s | %s | %s | %s | %s |\n' "$a" "$b" "$c" "$d" "$e"; done
echo "(FUZZTIME=$fuzztime per target)"
exit "$status"
