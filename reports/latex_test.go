package reports

import (
	"bytes"
	"strings"
	"testing"
)

func TestLaTeXEscape(t *testing.T) {
	// Expected forms are the standard LaTeX text-mode escapes (LaTeX
	// Companion, 2nd ed., §7.1; textcomp/base for \textasciitilde etc.).
	cases := []struct{ in, want string }{
		{"plain text 1.5", "plain text 1.5"},
		{`a\b`, `a\textbackslash{}b`},
		{"R&D", `R\&D`},
		{"50%", `50\%`},
		{"$5", `\$5`},
		{"#1", `\#1`},
		{"sigma_b", `sigma\_b`},
		{"{x}", `\{x\}`},
		{"a~b", `a\textasciitilde{}b`},
		{"x^2", `x\textasciicircum{}2`},
		{"a<b>c", `a\textless{}b\textgreater{}c`},
		{"two\nlines", "two lines"},
		{"± 1", `\ensuremath{\pm} 1`},
		{"β_0", `\ensuremath{\beta}\_0`},
		// A backslash followed by a special must not be double-escaped.
		{`\%`, `\textbackslash{}\%`},
	}
	for _, c := range cases {
		if got := LaTeXEscape(c.in); got != c.want {
			t.Errorf("LaTeXEscape(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLaTeXBooktabs(t *testing.T) {
	var buf bytes.Buffer
	if err := (LaTeXRenderer{}).Render(&buf, sampleTable()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	// booktabs rules appear once each, in order.
	top, mid, bottom := strings.Index(out, `\toprule`), strings.Index(out, `\midrule`), strings.Index(out, `\bottomrule`)
	if top < 0 || mid < top || bottom < mid {
		t.Errorf("booktabs rules missing or out of order:\n%s", out)
	}
	if strings.Count(out, `\midrule`) != 1 {
		t.Errorf("want one \\midrule:\n%s", out)
	}
	// Every body line has one & per column boundary: 7 columns, 6 &s,
	// none of them from escaped text (\&).
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasSuffix(line, `\\`) || strings.HasPrefix(line, `\textsuperscript`) || strings.HasPrefix(line, "Intervals") {
			continue
		}
		if n := strings.Count(strings.ReplaceAll(line, `\&`, ""), "&"); n != 6 {
			t.Errorf("line %q has %d column separators, want 6", line, n)
		}
	}
}
