package frame

import (
	"fmt"
	"slices"
	"strings"

	"github.com/metabeta-go/metabeta/lmm"
)

// Summary describes a design for the command line: the rows used and
// dropped, the groups and their sizes, and the brms names of the parameters.
type Summary struct {
	Formula  string // formula the design was built from
	Response string // response column
	Group    string // grouping factor

	Rows    int // observations used
	Dropped int // rows dropped for missing values
	Groups  int // number of groups

	MinGroupSize    int     // smallest group
	MedianGroupSize float64 // median group size; the mean of the middle two for an even count
	MaxGroupSize    int     // largest group

	Fixed    []string // fixed-effect names: b_Intercept, b_Days, ...
	RandomSD []string // random-effect SD names: sd_Subject__Intercept, ...
	// Correlated is true when the random effects are correlated (Q ≥ 2 and
	// written with "|"); Cor then names their correlations,
	// cor_Subject__Intercept__Days, ...
	Correlated bool
	Cor        []string
}

// Describe summarises a design built by Build.
func Describe(d *lmm.Design) Summary {
	sizes := d.GroupSizes()
	slices.Sort(sizes)
	s := Summary{
		Formula:  d.Formula,
		Response: d.Response,
		Group:    d.Group,
		Rows:     d.N(),
		Dropped:  d.NDropped,
		Groups:   d.M(),
	}
	if m := len(sizes); m > 0 {
		s.MinGroupSize, s.MaxGroupSize = sizes[0], sizes[m-1]
		s.MedianGroupSize = float64(sizes[(m-1)/2]+sizes[m/2]) / 2
	}
	names := d.Names()
	p, q := d.P(), d.Q()
	s.Fixed = slices.Clone(names[:p])
	s.RandomSD = slices.Clone(names[p : p+q])
	s.Correlated = d.NCor() > 0
	s.Cor = slices.Clone(names[p+q+1:])
	return s
}

// String formats the summary as indented lines for a terminal.
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "formula:    %s\n", s.Formula)
	fmt.Fprintf(&b, "rows:       %d used, %d dropped for missing values\n", s.Rows, s.Dropped)
	fmt.Fprintf(&b, "groups:     %d levels of %s, sizes min %d, median %g, max %d\n",
		s.Groups, s.Group, s.MinGroupSize, s.MedianGroupSize, s.MaxGroupSize)
	fmt.Fprintf(&b, "fixed:      %s\n", strings.Join(s.Fixed, ", "))
	fmt.Fprintf(&b, "random SDs: %s\n", strings.Join(s.RandomSD, ", "))
	if s.Correlated {
		fmt.Fprintf(&b, "random cor: %s\n", strings.Join(s.Cor, ", "))
	}
	return b.String()
}
