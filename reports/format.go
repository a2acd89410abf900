package reports

import (
	"math"
	"strconv"
	"strings"
)

// Style selects how a renderer prints the numbers of a column or cell.
type Style uint8

const (
	// Inherit, on a cell, means "use the column's format"; on a column it
	// means the default, Significant with three digits.
	Inherit Style = iota
	// Significant prints Digits significant digits (default 3); magnitudes
	// outside [1e-4, 1e6) use exponent notation.
	Significant
	// Fixed prints exactly Digits decimals.
	Fixed
	// Percent prints 100·value with Digits decimals and a "%" sign.
	Percent
)

// Format is a number-format hint. Renderers honour it; the Table itself
// stores raw float64 values only.
type Format struct {
	// Style selects significant digits, fixed decimals or percent.
	Style Style
	// Digits is the number of significant digits (Significant) or decimals
	// (Fixed, Percent). Zero means 3 for Significant and the literal 0
	// otherwise.
	Digits int
	// Signed prints a leading "+" on positive numbers, as for differences.
	Signed bool
	// RelativeError prints the ± error of an ErrorBound cell as a whole
	// percentage of the value ("1.23 ± 4%"), as benchstat does.
	RelativeError bool
}

// defaultSignificant is the number of significant digits used when a format
// does not say: three, as in benchstat.
const defaultSignificant = 3

// resolve turns Inherit into the default Significant format.
func (f Format) resolve() Format {
	if f.Style == Inherit {
		f.Style = Significant
	}
	if f.Style == Significant && f.Digits <= 0 {
		f.Digits = defaultSignificant
	}
	if f.Digits < 0 {
		f.Digits = 0
	}
	return f
}

// number formats v under f.
func (f Format) number(v float64) string {
	f = f.resolve()
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	var s string
	switch f.Style {
	case Fixed:
		s = strconv.FormatFloat(v, 'f', f.Digits, 64)
	case Percent:
		s = strconv.FormatFloat(100*v, 'f', f.Digits, 64) + "%"
	default:
		s = significant(v, f.Digits)
	}
	if f.Signed && !strings.HasPrefix(s, "-") && v != 0 {
		s = "+" + s
	}
	return s
}

// significant formats v rounded to sig significant digits, in positional
// notation for magnitudes in [1e-4, 1e6) (1234.5 → "1230", 0.09996 →
// "0.100") and in exponent notation otherwise (1.5e-5 → "1.50e-05").
func significant(v float64, sig int) string {
	if v == 0 {
		return "0"
	}
	a := math.Abs(v)
	if a < 1e-4 || a >= 1e6 {
		return strconv.FormatFloat(v, 'e', sig-1, 64)
	}
	// Round to sig significant digits first, so that 0.09996 → 0.100
	// takes its decimals from the rounded magnitude.
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'e', sig-1, 64), 64)
	if err != nil {
		// FormatFloat output always parses; keep v if it somehow does not.
		r = v
	}
	exp := int(math.Floor(math.Log10(math.Abs(r))))
	decimals := max(sig-1-exp, 0)
	return strconv.FormatFloat(r, 'f', decimals, 64)
}

// errorText formats the half-width e of value v under f.
func (f Format) errorText(v, e float64) string {
	f = f.resolve()
	if f.RelativeError {
		if v == 0 || math.IsNaN(e) || math.IsInf(e, 0) {
			return "∞%"
		}
		return strconv.FormatFloat(math.Round(100*math.Abs(e/v)), 'f', 0, 64) + "%"
	}
	f.Signed = false
	if f.Style == Significant {
		// Two significant digits are as many as an error deserves.
		f.Digits = min(f.Digits, 2)
	}
	return f.number(e)
}

// cellText is the plain-text rendering of a cell without its footnote
// marks; pm is the plus-minus sign to use ("±" for text, "$\pm$" for LaTeX).
func cellText(col Column, c Cell, pm string) string {
	switch c.Kind {
	case Text:
		return c.Text
	case Number:
	default:
		return ""
	}
	if c.NotSignificant {
		return "~"
	}
	f := col.format(c)
	s := f.number(c.Value)
	switch c.Bound {
	case IntervalBound:
		g := f
		g.Signed = false
		s += " [" + g.number(c.Lo) + ", " + g.number(c.Hi) + "]"
	case ErrorBound:
		s += " " + pm + " " + f.errorText(c.Value, c.Err)
	}
	return s
}

// footnotes numbers the distinct warnings of t in row-major order of first
// appearance. It returns the texts in footnote order and, per row and cell,
// the footnote numbers (1-based) of the cell's warnings.
func footnotes(t *Table) (texts []string, marks [][][]int) {
	index := make(map[string]int)
	marks = make([][][]int, len(t.Rows))
	for i, r := range t.Rows {
		marks[i] = make([][]int, len(r.Cells))
		for j, c := range r.Cells {
			for _, w := range c.Warnings {
				n, ok := index[w]
				if !ok {
					texts = append(texts, w)
					n = len(texts)
					index[w] = n
				}
				if !containsInt(marks[i][j], n) {
					marks[i][j] = append(marks[i][j], n)
				}
			}
		}
	}
	return texts, marks
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// superscriptDigits maps '0'..'9' to Unicode superscript digits.
var superscriptDigits = [10]string{"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"}

// superscript writes n in Unicode superscript digits, e.g. 12 → "¹²".
func superscript(n int) string {
	var b strings.Builder
	for _, d := range strconv.Itoa(n) {
		b.WriteString(superscriptDigits[d-'0'])
	}
	return b.String()
}

// superMarks joins footnote numbers as superscripts separated by "˒",
// e.g. [1 2] → "¹˒²".
func superMarks(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = superscript(n)
	}
	return strings.Join(parts, "˒")
}

// numeric reports whether column j holds numbers (and no text), which
// renderers use to right-align it.
func numeric(t *Table, j int) bool {
	seen := false
	for _, r := range t.Rows {
		switch r.Cells[j].Kind {
		case Text:
			return false
		case Number:
			seen = true
		}
	}
	return seen
}
