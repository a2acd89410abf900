package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/lmm/frame"
)

// describeJSON is the output of "describe --json".
type describeJSON struct {
	NObs     int             `json:"n_obs"`
	NDropped int             `json:"n_dropped"`
	NGroups  int             `json:"n_groups"`
	Fixed    []string        `json:"fixed"`
	Random   []string        `json:"random"`
	Prior    json.RawMessage `json:"prior"`
}

func runDescribe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("describe", stderr)
	data := fs.String("data", "", "CSV file with a header row")
	formula := fs.String("formula", "", `lme4 formula, e.g. "y ~ x + (1 + x || g)"`)
	priorPath := fs.String("prior", "", "prior spec JSON (omitted entries take the defaults)")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	d, prior, err := loadModel(*data, *formula, *priorPath)
	if err != nil {
		return err
	}
	names := d.Names()
	fixed, random := names[:d.P()], names[d.P():d.P()+d.Q()]
	if *asJSON {
		out := describeJSON{
			NObs: d.N(), NDropped: d.NDropped, NGroups: d.M(),
			Fixed: fixed, Random: random, Prior: json.RawMessage(prior.SpecJSON(d)),
		}
		if out.Random == nil {
			out.Random = []string{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	sizes := d.GroupSizes()
	slices.Sort(sizes)
	fmt.Fprintf(stdout, "data:     %s\n", *data)
	fmt.Fprintf(stdout, "formula:  %s\n", d.Formula)
	fmt.Fprintf(stdout, "rows:     %d used, %d dropped for missing values\n", d.N(), d.NDropped)
	fmt.Fprintf(stdout, "groups:   %s, %d levels, sizes %d to %d (median %d)\n",
		d.Group, d.M(), sizes[0], sizes[len(sizes)-1], sizes[len(sizes)/2])
	fmt.Fprintf(stdout, "fixed:    %s\n", strings.Join(fixed, ", "))
	if len(random) == 0 {
		fmt.Fprintf(stdout, "random:   none\n")
	} else {
		fmt.Fprintf(stdout, "random:   %s\n", strings.Join(random, ", "))
	}
	fmt.Fprintf(stdout, "prior (resolved; the intercept's is on the centred-predictor intercept):\n%s", prior.SpecJSON(d))
	return nil
}

// loadModel reads the data, builds the design from the formula and resolves
// the prior (defaults when priorPath is empty). Errors name the flag or the
// file at fault.
func loadModel(data, formula, priorPath string) (*lmm.Design, lmm.Prior, error) {
	if data == "" {
		return nil, lmm.Prior{}, usageError("--data is required")
	}
	if formula == "" {
		return nil, lmm.Prior{}, usageError("--formula is required")
	}
	d, err := frame.Load(data, formula)
	if err != nil {
		return nil, lmm.Prior{}, err
	}
	if priorPath == "" {
		p, err := lmm.DefaultPrior(d)
		return d, p, err
	}
	raw, err := os.ReadFile(priorPath)
	if err != nil {
		return nil, lmm.Prior{}, fmt.Errorf("--prior: %w", err)
	}
	p, err := lmm.ParsePrior(raw, d)
	if err != nil {
		return nil, lmm.Prior{}, fmt.Errorf("--prior %s: %w", priorPath, err)
	}
	return d, p, nil
}
