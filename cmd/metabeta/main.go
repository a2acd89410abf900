// Command metabeta fits Bayesian linear mixed models by a neural posterior
// estimator or by NUTS, simulates datasets from the model and validates the
// one against the other. Run "metabeta help" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}
