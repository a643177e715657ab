// Command terraform-provider-elasticpath serves the Elastic Path promotion jobs provider to Terraform.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/provider"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

//go:generate go tool tfplugindocs generate --provider-name elasticpath

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/epcc-community/elasticpath",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
