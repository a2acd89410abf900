package fit

import (
	"github.com/metabeta-go/metabeta/lmm"
)

// DesignFacts are the rank and conditioning facts of the design a result
// was fitted to (lmm.CheckDesign), in the result's JSON.
type DesignFacts struct {
	Columns int `json:"columns"` // columns of X
	Rank    int `json:"rank"`    // numerical rank of X
	// Cond is the condition number of X with its columns centred (with an
	// intercept) and scaled to unit norm; null when infinite.
	Cond Num `json:"condition_number"`
	// NearlyCollinear names the columns of the weakest direction of a
	// near-singular X.
	NearlyCollinear []string `json:"nearly_collinear,omitempty"`
	Groups          int      `json:"groups"`
	// GroupsZDeficient counts the groups whose random-effect matrix Z_g
	// has rank below the number of random terms.
	GroupsZDeficient int `json:"groups_z_rank_deficient"`
}

// NewDesignFacts copies the facts of a design check.
func NewDesignFacts(c *lmm.DesignCheck) *DesignFacts {
	return &DesignFacts{
		Columns: c.Columns, Rank: c.Rank, Cond: Num(c.Cond), NearlyCollinear: c.NearlyCollinear,
		Groups: c.Groups, GroupsZDeficient: c.GroupsZDeficient,
	}
}
