package frame

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseFormula(t *testing.T) {
	// Expected parses follow lme4's formula semantics (Bates et al. 2015,
	// §2.2): an intercept is implied in the fixed part and in each random
	// term unless removed by 0 or -1.
	tests := []struct {
		src       string
		intercept bool
		fixed     []string
		group     string
		rIcp      bool
		random    []string
		canonical string
	}{
		{"y ~ 1 + x1 + x2 + f + (1 + x1 || g)", true, []string{"x1", "x2", "f"}, "g", true, []string{"x1"},
			"y ~ x1 + x2 + f + (1 + x1 || g)"},
		{"y ~ x + (1 | g)", true, []string{"x"}, "g", true, nil, "y ~ x + (1 | g)"},
		{"y ~ x + (x || g)", true, []string{"x"}, "g", true, []string{"x"}, "y ~ x + (1 + x || g)"},
		{"y ~ 0 + x + (0 + x || g)", false, []string{"x"}, "g", false, []string{"x"}, "y ~ 0 + x + (0 + x | g)"},
		{"y ~ x - 1 + (0 + x | g)", false, []string{"x"}, "g", false, []string{"x"}, "y ~ 0 + x + (0 + x | g)"},
		{"y ~ -1 + x + (x - 1 | g)", false, []string{"x"}, "g", false, []string{"x"}, "y ~ 0 + x + (0 + x | g)"},
		{"y~(1|g)", true, nil, "g", true, nil, "y ~ 1 + (1 | g)"},
		{"y ~ 1 + (1 | g)", true, nil, "g", true, nil, "y ~ 1 + (1 | g)"},
		{"y ~ x + x + (1 | g)", true, []string{"x"}, "g", true, nil, "y ~ x + (1 | g)"},
		{"y ~ x + z + (1 | g) + (0 + z | g)", true, []string{"x", "z"}, "g", true, []string{"z"}, "y ~ x + z + (1 + z || g)"},
		{"y ~ 0 + x - 0 + (1 | g)", true, []string{"x"}, "g", true, nil, "y ~ x + (1 | g)"},
		{"`my y` ~ `a b` + .x + x_1.2 + (1 + `a b` || `the group`)", true, []string{"a b", ".x", "x_1.2"}, "the group", true, []string{"a b"},
			"`my y` ~ `a b` + .x + x_1.2 + (1 + `a b` || `the group`)"},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			f, err := ParseFormula(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			if f.Source != tc.src || f.Intercept != tc.intercept || !slices.Equal(f.Fixed, tc.fixed) ||
				f.Group != tc.group || f.RandomIntercept != tc.rIcp || !slices.Equal(f.Random, tc.random) {
				t.Errorf("got %+v", *f)
			}
			if got := f.String(); got != tc.canonical {
				t.Errorf("String = %q, want %q", got, tc.canonical)
			}
			again, err := ParseFormula(f.String())
			if err != nil {
				t.Fatalf("canonical form does not parse: %v", err)
			}
			if again.String() != f.String() {
				t.Errorf("round trip %q → %q", f.String(), again.String())
			}
		})
	}
}

func TestParseFormulaErrors(t *testing.T) {
	// Positions are 1-based rune columns, counted by hand.
	tests := []struct {
		src  string
		pos  int
		want []string // substrings of the message
	}{
		{"y ~ x + (1 | g))", 16, []string{`unexpected ")"`, "at position 16"}},
		{"y ~ x + (1 | )", 14, []string{`expected the grouping factor after "|"`}},
		{"y ~ x + (1 | g", 9, []string{"unclosed parenthesis"}},
		{"y ~ x +", 8, []string{"unexpected end of formula"}},
		{"y ~", 4, []string{"unexpected end of formula"}},
		{"~ x + (1 | g)", 1, []string{"missing response"}},
		{"y x + (1 | g)", 3, []string{`expected "~"`}},
		{"y ~ x + (x | g)", 9, []string{"correlated random effects (x | g) are not supported yet", "use (1 + x || g)"}},
		{"y ~ x + z + (1 + x + z | g)", 13, []string{"correlated", "use (1 + x + z || g)"}},
		{"y ~ x + x:z + (1 | g)", 10, []string{`interactions (":")`}},
		{"y ~ x * z + (1 | g)", 7, []string{`interactions ("*")`}},
		{"y ~ log(x) + (1 | g)", 5, []string{"function calls such as log(...)"}},
		{"log(y) ~ x + (1 | g)", 1, []string{"function calls such as log(...)"}},
		{"y ~ . + (1 | g)", 5, []string{`"." (all other columns)`}},
		{"y ~ x + (1 | g) + (1 | h)", 24, []string{`more than one grouping factor ("g" and "h")`}},
		{"y ~ x + (1 | g/h)", 15, []string{"nested grouping factors (g/...)"}},
		{"y ~ x + (1 | g:h)", 15, []string{`grouping by ":"`}},
		{"y ~ y + x + (1 | g)", 5, []string{`response "y" cannot also be a predictor`}},
		{"y ~ x + (1 | y)", 14, []string{`response "y" cannot also be the grouping factor`}},
		{"y ~ 1 + (x || g)", 10, []string{`random term "x" must also be a fixed term`, "add it, as in y ~ x + (1 + x || g)"}},
		{"y ~ z + (0 + x | g)", 14, []string{`random term "x" must also be a fixed term`, "y ~ z + x + (0 + x | g)"}},
		{"y ~ 0 + x + (x || g)", 13, []string{"random intercept needs a fixed intercept", "y ~ x + (1 + x || g)", "y ~ 0 + x + (0 + x | g)"}},
		{"y ~ 0 + x + (1 | g)", 14, []string{"random intercept needs a fixed intercept", "y ~ x + (1 | g)"}},
		{"y ~ x", 6, []string{"no random term"}},
		{"y ~ x + (0 | g)", 9, []string{"random term (0 | g) has no effects"}},
		{"y ~ x + (1 | g) + (1 | g)", 19, []string{"random intercept", "appears twice"}},
		{"y ~ x - z + (1 | g)", 9, []string{`removing a term with "-"`, `delete "z"`}},
		{"y ~ 2 + x + (1 | g)", 5, []string{`unexpected number "2"`}},
		{"y ~ x + ((1 | g))", 10, []string{"nested parentheses"}},
		{"y ~ x + (1 + x)", 15, []string{`expected "|" or "||"`}},
		{"y ~ x + (| g)", 10, []string{`missing effects before "|"`}},
		{"y ~ `x + (1 | g)", 5, []string{"unterminated backquoted name"}},
		{"y ~ x + (g || g)", 10, []string{`grouping factor "g" cannot have a random slope`}},
		{"y ~ x # (1 | g)", 7, []string{`unexpected "#"`}},
		{"y ~ x %in% z + (1 | g)", 7, []string{`operator "%in%"`}},
		{"y ~ x + (1 | g) - 1 + (1|f)", 26, []string{"more than one grouping factor"}},
		{"y ~\tx +\t(x | g)", 9, []string{"correlated"}},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			_, err := ParseFormula(tc.src)
			checkError(t, err, tc.want)
			var fe *FormulaError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FormulaError", err)
			}
			if fe.Pos != tc.pos {
				t.Errorf("position %d, want %d (%s)", fe.Pos, tc.pos, err)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != 3 || lines[1] != "  "+tc.src || lines[2] != "  "+strings.Map(tabOrSpace, string([]rune(tc.src + " ")[:tc.pos-1]))+"^" {
				t.Errorf("no caret line under position %d:\n%s", tc.pos, err)
			}
		})
	}
}

// tabOrSpace keeps tabs and blanks every other rune.
func tabOrSpace(r rune) rune {
	if r == '\t' {
		return r
	}
	return ' '
}
