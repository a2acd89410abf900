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
		src        string
		intercept  bool
		fixed      []string // term labels
		group      string
		rIcp       bool
		random     []string
		correlated bool
		canonical  string
	}{
		{"y ~ 1 + x1 + x2 + f + (1 + x1 || g)", true, []string{"x1", "x2", "f"}, "g", true, []string{"x1"}, false,
			"y ~ x1 + x2 + f + (1 + x1 || g)"},
		{"y ~ x + (1 | g)", true, []string{"x"}, "g", true, nil, true, "y ~ x + (1 | g)"},
		{"y ~ x + (1 || g)", true, []string{"x"}, "g", true, nil, false, "y ~ x + (1 | g)"},
		{"y ~ x + (x || g)", true, []string{"x"}, "g", true, []string{"x"}, false, "y ~ x + (1 + x || g)"},
		// lme4's correlated random effects: the intercept is implied.
		{"y ~ x + (x | g)", true, []string{"x"}, "g", true, []string{"x"}, true, "y ~ x + (1 + x | g)"},
		{"y ~ x + z + (1 + x + z | g)", true, []string{"x", "z"}, "g", true, []string{"x", "z"}, true, "y ~ x + z + (1 + x + z | g)"},
		{"y ~ 0 + x + (0 + x || g)", false, []string{"x"}, "g", false, []string{"x"}, false, "y ~ 0 + x + (0 + x || g)"},
		{"y ~ x - 1 + (0 + x | g)", false, []string{"x"}, "g", false, []string{"x"}, true, "y ~ 0 + x + (0 + x | g)"},
		{"y ~ -1 + x + (x - 1 | g)", false, []string{"x"}, "g", false, []string{"x"}, true, "y ~ 0 + x + (0 + x | g)"},
		{"y~(1|g)", true, nil, "g", true, nil, true, "y ~ 1 + (1 | g)"},
		{"y ~ 1 + (1 | g)", true, nil, "g", true, nil, true, "y ~ 1 + (1 | g)"},
		{"y ~ x + x + (1 | g)", true, []string{"x"}, "g", true, nil, true, "y ~ x + (1 | g)"},
		// Several terms for one group are independent of each other (lme4).
		{"y ~ x + z + (1 | g) + (0 + z | g)", true, []string{"x", "z"}, "g", true, []string{"z"}, false, "y ~ x + z + (1 + z || g)"},
		{"y ~ x + z + (1 | g) + (0 + x || g) + (0 + z | g)", true, []string{"x", "z"}, "g", true, []string{"x", "z"}, false,
			"y ~ x + z + (1 + x + z || g)"},
		{"y ~ 0 + x - 0 + (1 | g)", true, []string{"x"}, "g", true, nil, true, "y ~ x + (1 | g)"},
		{"`my y` ~ `a b` + .x + x_1.2 + (1 + `a b` || `the group`)", true, []string{"a b", ".x", "x_1.2"}, "the group", true, []string{"a b"}, false,
			"`my y` ~ `a b` + .x + x_1.2 + (1 + `a b` || `the group`)"},
		// Interactions, expanded as R's terms.formula expands them: a*b is
		// a + b + a:b; the columns of a term are in the order of their first
		// use in the fixed part (R's variable order), so z:x below is x:z.
		{"y ~ x:z + (1 | g)", true, []string{"x:z"}, "g", true, nil, true, "y ~ x:z + (1 | g)"},
		{"y ~ x*z + (1 | g)", true, []string{"x", "z", "x:z"}, "g", true, nil, true, "y ~ x + z + x:z + (1 | g)"},
		{"y ~ x + z + z:x + (1 | g)", true, []string{"x", "z", "x:z"}, "g", true, nil, true, "y ~ x + z + x:z + (1 | g)"},
		{"y ~ x*z + x:z + z + (1 | g)", true, []string{"x", "z", "x:z"}, "g", true, nil, true, "y ~ x + z + x:z + (1 | g)"},
		{"y ~ a*b*c + (1 | g)", true, []string{"a", "b", "a:b", "c", "a:c", "b:c", "a:b:c"}, "g", true, nil, true,
			"y ~ a + b + a:b + c + a:c + b:c + a:b:c + (1 | g)"},
		{"y ~ a:b*c + (1 | g)", true, []string{"a:b", "c", "a:b:c"}, "g", true, nil, true, "y ~ a:b + c + a:b:c + (1 | g)"},
		{"y ~ x:x + (1 | g)", true, []string{"x"}, "g", true, nil, true, "y ~ x + (1 | g)"},
		{"y ~ b:a + a + (1 | g)", true, []string{"b:a", "a"}, "g", true, nil, true, "y ~ b:a + a + (1 | g)"},
		// Interactions in the random part; z:x is the fixed x:z.
		{"y ~ x*z + (x*z | g)", true, []string{"x", "z", "x:z"}, "g", true, []string{"x", "z", "x:z"}, true,
			"y ~ x + z + x:z + (1 + x + z + x:z | g)"},
		{"y ~ x*z + (0 + z:x || g)", true, []string{"x", "z", "x:z"}, "g", false, []string{"x:z"}, false,
			"y ~ x + z + x:z + (0 + x:z || g)"},
		{"y ~ (z:x | g) + x*z", true, []string{"x", "z", "x:z"}, "g", true, []string{"x:z"}, true,
			"y ~ x + z + x:z + (1 + x:z | g)"},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			f, err := ParseFormula(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			if f.Source != tc.src || f.Intercept != tc.intercept || !slices.Equal(labels(f.Fixed), tc.fixed) ||
				f.Group != tc.group || f.RandomIntercept != tc.rIcp || !slices.Equal(labels(f.Random), tc.random) ||
				f.Correlated != tc.correlated {
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
		{"y ~ x + z + (1 + x | g) + (0 + z | g)", 13, []string{"the correlated random term (1 + x | g) cannot be combined with another random term for \"g\"",
			"(1 + x + z | g) for correlated effects, or (1 + x + z || g) for independent ones"}},
		{"y ~ x + z + (1 | g) + (0 + x + z | g)", 23, []string{"the correlated random term (0 + x + z | g) cannot be combined"}},
		{"y ~ x + x:1 + (1 | g)", 11, []string{"the intercept cannot be part of an interaction"}},
		{"y ~ x + 1:x + (1 | g)", 10, []string{`the intercept cannot be part of an interaction (":")`}},
		{"y ~ x + (1 | g):x", 16, []string{`a random term cannot be part of an interaction (":")`}},
		{"y:z ~ x + (1 | g)", 2, []string{`the response cannot be part of an interaction (":")`}},
		{"y ~ x:(z + w) + (1 | g)", 7, []string{"a parenthesised term cannot be part of an interaction", "a:c + b:c"}},
		{"y ~ a:b:c:d + (1 | g)", 11, []string{"interactions of more than 3 columns (a:b:c:d) are not supported"}},
		{"y ~ a*b*c*d + (1 | g)", 10, []string{"interactions of more than 3 columns (a:b:c:d) are not supported"}},
		{"y ~ x + (1 + x:z | g)", 14, []string{`random term "x:z" must also be a fixed term`, "add it, as in y ~ x + x:z + (1 + x:z | g)"}},
		{"y ~ x + x:z + (x*z | g)", 18, []string{`random term "z" must also be a fixed term`}},
		{"y ~ x + y:x + (1 | g)", 9, []string{`response "y" cannot also be a predictor`}},
		{"y ~ x*g + (x:g | g)", 12, []string{`grouping factor "g" cannot have a random slope for itself`}},
		{"y ~ x*z + (1 + x:z || g) + (0 + z:x | g)", 33, []string{`the random slope of "z:x" for "g" appears twice`}},
		{"y ~ x + ~", 9, []string{`unexpected "~"`}},
		{"y ~ x + :z", 9, []string{`unexpected ":"`, "a:b or a*b"}},
		{"y ~ x/z + (1 | g)", 6, []string{`nesting ("/") is not supported`, "a + a:b"}},
		{"y ~ (x + z)^2 + (1 | g)", 11, []string{`expected "|" or "||"`}},
		{"y ~ x^2 + (1 | g)", 6, []string{`powers of terms ("^") are not supported`}},
		{"y ~ I(x^2) + (1 | g)", 5, []string{"function calls such as I(...) are not supported", "transform the column in the data"}},
		{"y ~ poly(x, 2) + (1 | g)", 5, []string{"function calls such as poly(...) are not supported"}},
		{"y ~ x:log(z) + (1 | g)", 7, []string{"function calls such as log(...) are not supported"}},
		{"y ~ log(x) + (1 | g)", 5, []string{"function calls such as log(...)"}},
		{"log(y) ~ x + (1 | g)", 1, []string{"function calls such as log(...)"}},
		{"y ~ . + (1 | g)", 5, []string{`"." (all other columns)`}},
		{"y ~ x + (1 | g) + (1 | h)", 24, []string{`more than one grouping factor ("g" and "h")`, "crossed or nested grouping factors are not supported"}},
		{"y ~ x + (1 | g/h)", 15, []string{"nested grouping factors (g/...) are not supported"}},
		{"y ~ x + (1 | g:h)", 15, []string{"nested grouping by an interaction (g:...) is not supported", "add a column that joins them"}},
		{"y ~ x + (1 | g*h)", 15, []string{"crossed grouping factors (g*...) are not supported"}},
		{"y ~ x + (1 | g %in% h)", 16, []string{"nested grouping factors (g %in% ...) are not supported"}},
		{"y ~ y + x + (1 | g)", 5, []string{`response "y" cannot also be a predictor`}},
		{"y ~ x + (1 | y)", 14, []string{`response "y" cannot also be the grouping factor`}},
		{"y ~ 1 + (x || g)", 10, []string{`random term "x" must also be a fixed term`, "add it, as in y ~ x + (1 + x || g)"}},
		{"y ~ z + (0 + x | g)", 14, []string{`random term "x" must also be a fixed term`, "y ~ z + x + (0 + x | g)"}},
		{"y ~ 0 + x + (x || g)", 13, []string{"random intercept needs a fixed intercept", "y ~ x + (1 + x || g)", "y ~ 0 + x + (0 + x || g)"}},
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
		{"y ~ x %in% z + (1 | g)", 7, []string{`nesting ("%in%") is not supported`}},
		{"y ~ x + (1 | g) - 1 + (1|f)", 26, []string{"more than one grouping factor"}},
		{"y ~\tx +\t(x | g) + (1 | f)", 24, []string{"more than one grouping factor"}},
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

// labels returns the R labels of terms ("x", "x:z"), without backquotes.
func labels(terms []Term) []string {
	var out []string
	for _, t := range terms {
		out = append(out, strings.Join(t, ":"))
	}
	return out
}
