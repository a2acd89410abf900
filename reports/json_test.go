package reports

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestJSONRawNumbers checks that the JSON is valid and carries numbers as
// JSON numbers (not formatted strings), with intervals, errors, warnings
// and the non-significance flag.
func TestJSONRawNumbers(t *testing.T) {
	var buf bytes.Buffer
	if err := (JSONRenderer{}).Render(&buf, sampleTable()); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(buf.Bytes()) {
		t.Fatalf("invalid JSON:\n%s", buf.Bytes())
	}
	var doc struct {
		Title   string
		Columns []map[string]any
		Rows    [][]map[string]any
	}
	dec := json.NewDecoder(&buf)
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Title != "Posterior summary" || len(doc.Columns) != 7 || len(doc.Rows) != 3 {
		t.Fatalf("title %q, %d columns, %d rows", doc.Title, len(doc.Columns), len(doc.Rows))
	}
	number := func(v any) float64 {
		t.Helper()
		n, ok := v.(json.Number)
		if !ok {
			t.Fatalf("%v (%T) is not a JSON number", v, v)
		}
		f, err := n.Float64()
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	// Values are those of sampleTable, unrounded (the text renderer would
	// print 0.482 [0.301, 0.663]).
	mean := doc.Rows[0][2]
	if number(mean["value"]) != 0.48213 || number(mean["lo"]) != 0.30118 || number(mean["hi"]) != 0.66342 {
		t.Errorf("interval cell = %v", mean)
	}
	cov := doc.Rows[1][3]
	if number(cov["value"]) != 0.912 || number(cov["err"]) != 0.02 {
		t.Errorf("error cell = %v", cov)
	}
	if w, ok := cov["warnings"].([]any); !ok || len(w) != 1 || w[0] != "fewer than 100 SBC replicates" {
		t.Errorf("warnings = %v", cov["warnings"])
	}
	if doc.Rows[1][4]["nonfinite"] != "NaN" || doc.Rows[1][4]["value"] != nil {
		t.Errorf("NaN cell = %v", doc.Rows[1][4])
	}
	if doc.Rows[1][6]["significant"] != false || number(doc.Rows[1][6]["value"]) != 0.031 {
		t.Errorf("non-significant cell = %v", doc.Rows[1][6])
	}
	if doc.Rows[0][0]["text"] != "β_0" {
		t.Errorf("text cell = %v", doc.Rows[0][0])
	}
	if len(doc.Rows[0][6]) != 0 {
		t.Errorf("empty cell = %v, want {}", doc.Rows[0][6])
	}
}
