package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/metabeta-go/metabeta/fit"
	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/lmm/frame"
)

// describeJSON is the output of "describe --json".
type describeJSON struct {
	NObs     int      `json:"n_obs"`
	NDropped int      `json:"n_dropped"`
	NGroups  int      `json:"n_groups"`
	Fixed    []string `json:"fixed"`
	Random   []string `json:"random"`
	// Correlated is true when the random effects are correlated ("|" with
	// two or more effects); Cor then names the correlations,
	// cor_<group>__<term1>__<term2>, and is empty otherwise.
	Correlated bool            `json:"correlated"`
	Cor        []string        `json:"cor"`
	Prior      json.RawMessage `json:"prior"`
	// Design is the rank and conditioning of X and Z_g; Collinear the
	// relations that make X singular; Warnings those of the design check.
	Design    *fit.DesignFacts `json:"design"`
	Collinear []string         `json:"collinear,omitempty"`
	Warnings  []string         `json:"warnings"`
}

func runDescribe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("describe", stderr)
	data := fs.String("data", "", "CSV file with a header row")
	formula := fs.String("formula", "", `lme4 formula, e.g. "y ~ x + (1 + x | g)"`)
	priorPath := fs.String("prior", "", "prior spec JSON (omitted entries take the defaults)")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	d, prior, err := loadModel(*data, *formula, *priorPath)
	if err != nil {
		return err
	}
	// A singular design is described, then reported as the error.
	check, singular := lmm.CheckDesign(d)
	if check == nil {
		return fmt.Errorf("%s: %w", *data, singular)
	}
	if singular != nil {
		singular = fmt.Errorf("%s: %w", *data, singular)
	}
	names := d.Names()
	fixed, random, cor := names[:d.P()], names[d.P():d.P()+d.Q()], names[d.P()+d.Q()+1:]
	if *asJSON {
		out := describeJSON{
			NObs: d.N(), NDropped: d.NDropped, NGroups: d.M(),
			Fixed: fixed, Random: random, Correlated: d.NCor() > 0, Cor: slices.Clip(cor),
			Prior:  json.RawMessage(prior.SpecJSON(d)),
			Design: fit.NewDesignFacts(check), Warnings: slices.Clone(check.Warnings),
		}
		for _, r := range check.Dependent {
			out.Collinear = append(out.Collinear, r.String())
		}
		if out.Random == nil {
			out.Random = []string{}
		}
		if out.Cor == nil {
			out.Cor = []string{}
		}
		if out.Warnings == nil {
			out.Warnings = []string{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
		return singular
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
		fmt.Fprintf(stdout, "cor:      %s\n", corFacts(d, cor))
	}
	printDesignCheck(stdout, check, d.Q())
	fmt.Fprintf(stdout, "prior (resolved; the intercept's is on the centred-predictor intercept):\n%s", prior.SpecJSON(d))
	for _, w := range check.Warnings {
		fmt.Fprintln(stdout, "warning:", w)
	}
	return singular
}

// corFacts says whether the random effects are correlated and names their
// correlations.
func corFacts(d *lmm.Design, cor []string) string {
	switch {
	case d.NCor() > 0:
		return strings.Join(cor, ", ") + " (correlated random effects, LKJ prior)"
	case d.Q() == 1:
		return "none (one random effect)"
	}
	return `none (independent random effects, "||")`
}

// printDesignCheck prints the rank and conditioning of X and Z_g.
func printDesignCheck(w io.Writer, c *lmm.DesignCheck, q int) {
	if c.Rank < c.Columns {
		rel := make([]string, len(c.Dependent))
		for i, r := range c.Dependent {
			rel[i] = r.String()
		}
		fmt.Fprintf(w, "X:        rank %d of %d columns: singular (%s)\n", c.Rank, c.Columns, strings.Join(rel, "; "))
	} else {
		fmt.Fprintf(w, "X:        rank %d of %d columns, condition number %.3g (columns centred and scaled to unit norm; above %.0e is nearly singular)\n",
			c.Rank, c.Columns, c.Cond, lmm.IllConditioned)
	}
	if q > 0 {
		fmt.Fprintf(w, "Z:        %s\n", zFacts(c.GroupsZDeficient, c.Groups))
	}
}

// zFacts says in how many groups Z_g is rank deficient.
func zFacts(deficient, groups int) string {
	if deficient == 0 {
		return fmt.Sprintf("Z_g of full rank in all %d groups", groups)
	}
	return fmt.Sprintf("Z_g rank deficient in %d of %d groups", deficient, groups)
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
