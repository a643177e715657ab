# Shared by the scripts that run Terraform against a build of this tree: sourced, not run.
#   build_provider DIR           builds the provider into DIR/bin and points Terraform's dev_overrides at it
#   start_sim DIR [FLAGS...]     starts the simulator on a free loopback port and exports its EPCC_* variables
#   stop_sim                     stops it
sim_pid=""

build_provider() {
	local dir=$1
	mkdir -p "$dir/bin"
	go build -ldflags "-X main.version=0.1.0-dev" -o "$dir/bin/terraform-provider-elasticpath" .
	cat >"$dir/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/epcc-community/elasticpath" = "$dir/bin"
  }
  direct {}
}
RC
	export TF_CLI_CONFIG_FILE="$dir/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
}

start_sim() {
	local dir=$1
	shift
	go build -o "$dir/bin/epccsim" ./internal/epccsim/cmd/epccsim
	"$dir/bin/epccsim" -listen 127.0.0.1:0 "$@" >"$dir/sim.env" 2>"$dir/sim.log" &
	sim_pid=$!
	for _ in $(seq 1 100); do
		[ "$(grep -c '^EPCC_' "$dir/sim.env" 2>/dev/null)" -ge 3 ] && break
		sleep 0.1
	done
	[ "$(grep -c '^EPCC_' "$dir/sim.env" 2>/dev/null)" -ge 3 ] || { echo "the simulator did not start" >&2; cat "$dir/sim.log" >&2; return 1; }
	set -a
	# shellcheck disable=SC1091
	. "$dir/sim.env"
	set +a
}

stop_sim() {
	if [ -n "$sim_pid" ]; then
		kill -TERM "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null || true
		sim_pid=""
		return 0
	fi
	return 1
}
