package reports

import (
	"bytes"
	"encoding/csv"
	"math"
	"strconv"
	"testing"
)

// TestCSVRoundTrip reads the CSV back with encoding/csv and checks that
// every value, bound and text comes back exactly (numbers bit-for-bit).
func TestCSVRoundTrip(t *testing.T) {
	tab := sampleTable()
	// Values whose shortest decimal form is long, to exercise full precision.
	tab.AddRow(TextCell("x, \"quoted\""), TextCell("line\nbreak"),
		IntervalCell(math.Pi, -math.E, 1.0/3), ErrorCell(0.1+0.2, 1e-300),
		NumberCell(math.Inf(1)), NumberCell(-math.Inf(1)), NumberCell(math.SmallestNonzeroFloat64))

	var buf bytes.Buffer
	if err := (CSVRenderer{}).Render(&buf, tab); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("reading back: %v", err)
	}
	if len(records) != 1+len(tab.Rows) {
		t.Fatalf("got %d records, want %d", len(records), 1+len(tab.Rows))
	}
	col := make(map[string]int)
	for k, h := range records[0] {
		col[h] = k
	}
	for _, h := range []string{"mean lo", "mean hi", "coverage err", "Δ significant", "warnings", "time (s)"} {
		if _, ok := col[h]; !ok {
			t.Errorf("header %q missing from %q", h, records[0])
		}
	}
	num := func(rec []string, h string) float64 {
		t.Helper()
		v, err := strconv.ParseFloat(rec[col[h]], 64)
		if err != nil {
			t.Fatalf("column %q: %v", h, err)
		}
		return v
	}
	same := func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
	for i, r := range tab.Rows {
		rec := records[i+1]
		for j, c := range r.Cells {
			h := tab.Columns[j].header()
			switch c.Kind {
			case Text:
				if rec[col[h]] != c.Text {
					t.Errorf("row %d %q: got %q, want %q", i, h, rec[col[h]], c.Text)
				}
			case Number:
				if got := num(rec, h); !same(got, c.Value) {
					t.Errorf("row %d %q: got %v, want %v", i, h, got, c.Value)
				}
			case Empty:
				if rec[col[h]] != "" {
					t.Errorf("row %d %q: empty cell wrote %q", i, h, rec[col[h]])
				}
			}
			switch c.Bound {
			case IntervalBound:
				if lo, hi := num(rec, h+" lo"), num(rec, h+" hi"); lo != c.Lo || hi != c.Hi {
					t.Errorf("row %d %q: interval [%v, %v], want [%v, %v]", i, h, lo, hi, c.Lo, c.Hi)
				}
			case ErrorBound:
				if e := num(rec, h+" err"); e != c.Err {
					t.Errorf("row %d %q: err %v, want %v", i, h, e, c.Err)
				}
			}
		}
	}
	// Row 1 holds the one non-significant Δ and the SBC warning.
	if got := records[2][col["Δ significant"]]; got != "false" {
		t.Errorf("Δ significant = %q, want false", got)
	}
	if got := records[2][col["warnings"]]; got != "fewer than 100 SBC replicates" {
		t.Errorf("warnings = %q", got)
	}
}
