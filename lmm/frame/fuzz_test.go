package frame

import (
	"errors"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
)

// FuzzParseFormula checks that ParseFormula never panics, that every
// error is a *FormulaError with a position inside the formula (or just past
// its end), and that the canonical form of an accepted formula parses to the
// same canonical form.
func FuzzParseFormula(f *testing.F) {
	for _, s := range []string{
		"Reaction ~ Days + (1 + Days || Subject)",
		"y ~ 0 + x + (0 + x | g)",
		"y ~ x - 1 + (x - 1 | g)",
		"y ~ x + (x | g)",
		"y ~ x + (1 | g) + (0 + x | g)",
		"y ~ x + (1 | g/h)",
		"y ~ log(x) + x:z + . + (1|g)",
		"`a b` ~ `c` + (1 | `d e`)",
		"y ~ x + ((1 | g))",
		"y ~ `x",
		"y ~ 1.5e3 + .x + ..1 + (1 | g)",
		"y ~ x %in% z",
		"",
		"~",
		"(",
		"y ~ x + (1 | g))",
		"y ~ age * Sex + (age * Sex | Subject)",
		"y ~ a:b*c + b:a + (0 + c:a:b || g)",
		"y ~ x + (1 + x | g) + (0 + z | g)",
		"y ~ a*b*c*d + (1 | g)",
		"y ~ x + 1:x + (1 | g):x + (1 | g*h)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		form, err := ParseFormula(s)
		if err != nil {
			var fe *FormulaError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FormulaError", err)
			}
			if n := len([]rune(s)); fe.Pos < 1 || fe.Pos > n+1 {
				t.Fatalf("position %d outside 1..%d: %v", fe.Pos, n+1, err)
			}
			return
		}
		canon := form.String()
		again, err := ParseFormula(canon)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", canon, s, err)
		}
		if again.String() != canon {
			t.Fatalf("canonical form not stable: %q → %q", canon, again.String())
		}
	})
}

// FuzzReadCSV checks that ReadCSV never panics, that an accepted table has
// a consistent shape, that Build on it with two fixed formulas either fails
// with an error or returns a valid design whose default prior, when there
// is one, passes Prior.Check, and that no error echoes a long input whole.
func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"y,x,g\n1,2,a\n3,4,b\n5,6,a\n7,8,b\n9,1,a\n",
		"y,x,g\n1,NA,a\n3,,b\n5,6,a\n7,8,b\n9,1,c\n2,3,c\n",
		"y,x,g\n1,F,a\n3,M,b\n5,F,a\n7,M,b\n9,F,c\n2,M,c\n",
		"y,x,g\n1,NaN,a\n3,Inf,b\n",
		"y,x,g\n1,2\n",
		"y,y\n1,2\n",
		"\"y\",\"x\",\"g\"\n\"1\",\"2\",\"3\"\n",
		"y,x,g\n1,\"2\n",
		"",
		"\uFEFFy,x,g\n1,2,3\n",
		"\uFEFF\"y\",\"x\",\"g\"\n1,2,a\n3,4,b\n5,6,a\n7,8,b\n9,1,a\n",
		"y\tx\tg\n1\t2\ta\n3\t4\tb\n5\t6\ta\n7\t8\tb\n9\t1\ta\n",
		"y;x;g\n1,5;2;a\n3;4,25;b\n5;6;a\n7;8;b\n9;1;a\n",
		"y,x,g\n1,2,a\n3,1e300,b\n5,6,a\n7,8,b\n9,1,a\n",
		"y,x,g\n1,1e-200,a\n3,2e-200,b\n5,3e-200,a\n7,4e-200,b\n9,5e-200,a\n",
		"y x g\n1 2 a\n",
	} {
		f.Add(s)
	}
	// Independent effects, and correlated ones with an interaction column.
	var forms []*Formula
	for _, src := range []string{"y ~ x + (1 + x || g)", "y ~ x*g + (x | g)"} {
		form, err := ParseFormula(src)
		if err != nil {
			f.Fatal(err)
		}
		forms = append(forms, form)
	}
	// The longest message: an unknown column with up to 400 bytes of
	// column list and two names cut by lmm.QuoteShort (each at most 40
	// runes, 400 bytes escaped, plus its length).
	const maxMessage = 2000
	f.Fuzz(func(t *testing.T, s string) {
		fr, err := ReadCSV(strings.NewReader(s))
		if err != nil {
			if len(err.Error()) > maxMessage {
				t.Fatalf("ReadCSV error of %d bytes: %.300s", len(err.Error()), err)
			}
			return
		}
		if fr.NumRows() < 1 {
			t.Fatalf("accepted a table with %d rows", fr.NumRows())
		}
		for _, c := range fr.cols {
			if len(c.raw) != fr.NumRows() || len(c.class) != fr.NumRows() || len(c.num) != fr.NumRows() {
				t.Fatalf("column %q has %d values for %d rows", c.name, len(c.raw), fr.NumRows())
			}
		}
		for _, form := range forms {
			d, err := Build(fr, form)
			if err != nil {
				if len(err.Error()) > maxMessage {
					t.Fatalf("Build error of %d bytes: %.300s", len(err.Error()), err)
				}
				continue
			}
			if err := d.Validate(); err != nil {
				t.Fatalf("invalid design: %v", err)
			}
			if pr, err := lmm.DefaultPrior(d); err == nil {
				if err := pr.Check(d); err != nil {
					t.Fatalf("default prior of an accepted design fails Check: %v", err)
				}
			}
		}
	})
}
