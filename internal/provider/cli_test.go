package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// terraformCLI runs the terraform CLI in a working directory of its own against this provider, served
// in-process. It covers what the test framework does not drive: apply -invoke, the human output an action's
// progress appears in, and terraform query -generate-config-out.
type terraformCLI struct {
	t    *testing.T
	bin  string
	dir  string
	env  []string
	last string // the last command's output
}

func newTerraformCLI(t *testing.T) *terraformCLI {
	t.Helper()
	return newTerraformCLIFrom(t, tfversion.Version1_14_0, "actions and terraform query need")
}

// newTerraformCLIFrom is newTerraformCLI for a test that needs Terraform oldest or newer, skipped (saying why)
// on an older one.
func newTerraformCLIFrom(t *testing.T, oldest *version.Version, why string) *terraformCLI {
	t.Helper()
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("terraform"); err != nil {
			t.Fatal("no terraform CLI: set TF_ACC_TERRAFORM_PATH (make test does)")
		}
	}
	if v := terraformVersion(t, bin); v.LessThan(oldest) {
		t.Skipf("%s Terraform %s or newer; %s is %s", why, oldest, bin, v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	reattach := make(chan *plugin.ReattachConfig)
	closed := make(chan struct{})
	// OpenTofu resolves the provider under its own registry host, which the matrix names as the test framework's.
	host := os.Getenv("TF_ACC_PROVIDER_HOST")
	if host == "" {
		host = "registry.terraform.io"
	}
	addr := host + "/" + providerNamespace + "/elasticpath"
	go func() {
		err := tf6server.Serve(addr, providerserver.NewProtocol6(New("test")()),
			tf6server.WithDebug(ctx, reattach, closed),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			tf6server.WithLoggingSink(t),
			tf6server.WithoutLogStderrOverride())
		if err != nil {
			t.Errorf("serving the provider: %v", err)
			close(reattach)
		}
	}()
	cfg, ok := <-reattach
	if !ok || cfg == nil {
		cancel()
		t.FailNow()
	}
	t.Cleanup(func() {
		cancel()
		<-closed
	})
	providers, err := json.Marshal(map[string]any{addr: map[string]any{
		"Protocol": string(cfg.Protocol), "ProtocolVersion": cfg.ProtocolVersion, "Pid": cfg.Pid, "Test": cfg.Test,
		"Addr": map[string]string{"Network": cfg.Addr.Network(), "String": cfg.Addr.String()},
	}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cliConfig := filepath.Join(dir, ".terraformrc")
	if err := os.WriteFile(cliConfig, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return &terraformCLI{t: t, bin: bin, dir: dir, env: append(os.Environ(),
		"TF_REATTACH_PROVIDERS="+string(providers), "TF_CLI_CONFIG_FILE="+cliConfig,
		"CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "NO_COLOR=1")}
}

// terraformVersion asks a terraform binary for its version.
func terraformVersion(t *testing.T, bin string) *version.Version {
	t.Helper()
	out, err := exec.Command(bin, "version", "-json").Output()
	if err != nil {
		t.Fatalf("%s version: %v", bin, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version -json: %v", bin, err)
	}
	parsed, err := version.NewVersion(v.Version)
	if err != nil {
		t.Fatalf("%s version %q: %v", bin, v.Version, err)
	}
	return parsed
}

// write puts a file into the working directory.
func (c *terraformCLI) write(name, content string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, name), []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// read returns a file of the working directory.
func (c *terraformCLI) read(name string) string {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dir, name))
	if err != nil {
		c.t.Fatal(err)
	}
	return string(b)
}

// run runs one terraform command and returns its combined output and error.
func (c *terraformCLI) run(args ...string) (string, error) {
	c.t.Helper()
	cmd, out := c.command(args...)
	err := cmd.Run()
	c.last = out.String()
	return c.last, err
}

// command is a terraform command ready to start, and the buffer its combined output goes to.
func (c *terraformCLI) command(args ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command(c.bin, append(args[:1:1], append([]string{"-no-color"}, args[1:]...)...)...)
	cmd.Dir, cmd.Env = c.dir, c.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.Stdin = &out, &out, io.NopCloser(&bytes.Buffer{})
	return cmd, &out
}

// must runs a command that has to succeed.
func (c *terraformCLI) must(args ...string) string {
	c.t.Helper()
	out, err := c.run(args...)
	if err != nil {
		c.t.Fatalf("terraform %v: %v\n%s", args, err, out)
	}
	return out
}

// identities tells whether the CLI the acceptance tests run (TF_ACC_TERRAFORM_PATH) knows resource
// identities, which came with Terraform 1.12: steps and checks of identities are left out before.
func identities(t *testing.T) bool {
	t.Helper()
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("terraform"); err != nil {
			return false
		}
	}
	return !terraformVersion(t, bin).LessThan(version.Must(version.NewVersion("1.12.0")))
}
