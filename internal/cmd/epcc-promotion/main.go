// Command epcc-promotion creates or deletes a disposable promotion, so the demo and manual tests have
// something to run jobs on. It reads EPCC_CLIENT_ID, EPCC_CLIENT_SECRET and EPCC_API_BASE_URL.
//
//	epcc-promotion create [-api rule-promotions|promotions] [-name NAME] [-automatic]   prints the new id
//	epcc-promotion delete [-api rule-promotions|promotions] ID
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "epcc-promotion:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: epcc-promotion create|delete [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	api := fs.String("api", string(epcc.RulePromotions), "promotion API: rule-promotions or promotions")
	name := fs.String("name", "terraform-provider-elasticpath demo", "promotion name (create)")
	automatic := fs.Bool("automatic", false, "create an automatic promotion, which refuses code generation (create)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if a := epcc.API(*api); a != epcc.RulePromotions && a != epcc.PromotionsStandard {
		return fmt.Errorf("-api must be %s or %s", epcc.RulePromotions, epcc.PromotionsStandard)
	}

	client, err := epcc.New(epcc.Config{
		BaseURL:      os.Getenv("EPCC_API_BASE_URL"),
		ClientID:     os.Getenv("EPCC_CLIENT_ID"),
		ClientSecret: os.Getenv("EPCC_CLIENT_SECRET"),
		BetaFeatures: os.Getenv("EPCC_BETA_API_FEATURES"),
	})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	switch args[0] {
	case "create":
		ref, err := client.CreatePromotion(ctx, epcc.API(*api), epcc.NewPromotion{Name: *name, Automatic: *automatic})
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintln(stdout, ref.ID); err != nil {
			return err
		}
	case "delete":
		if fs.NArg() != 1 {
			return fmt.Errorf("delete needs the promotion id")
		}
		return client.DeletePromotion(ctx, epcc.PromotionRef{API: epcc.API(*api), ID: fs.Arg(0)})
	default:
		return fmt.Errorf("unknown command %q: use create or delete", args[0])
	}
	return nil
}
