package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
)

// JSONRenderer renders a Table as one JSON object carrying raw numbers, not
// formatted strings:
//
//	{"title": ..., "caption": ..., "notes": [...],
//	 "columns": [{"name": ..., "unit": ...}],
//	 "rows": [[{"value": 0.95, "lo": 0.93, "hi": 0.97, "warnings": [...]}, {"text": "β₀"}, {}]]}
//
// A number cell has "value" and, when bounded, "lo" and "hi" or "err"; a
// non-significant one has "significant": false. JSON has no NaN or
// infinities: such a value is written as null with "nonfinite" set to
// "NaN", "+Inf" or "-Inf", and non-finite bounds are left out. An empty
// cell is {}.
type JSONRenderer struct {
	// Indent, when non-empty, pretty-prints with this indent per level.
	Indent string
}

type jsonTable struct {
	Title   string       `json:"title"`
	Caption string       `json:"caption,omitempty"`
	Columns []jsonColumn `json:"columns"`
	Rows    [][]jsonCell `json:"rows"`
	Notes   []string     `json:"notes,omitempty"`
}

type jsonColumn struct {
	Name string `json:"name"`
	Unit string `json:"unit,omitempty"`
}

type jsonCell struct {
	Value       *float64 `json:"value,omitempty"`
	Nonfinite   string   `json:"nonfinite,omitempty"`
	Text        *string  `json:"text,omitempty"`
	Lo          *float64 `json:"lo,omitempty"`
	Hi          *float64 `json:"hi,omitempty"`
	Err         *float64 `json:"err,omitempty"`
	Significant *bool    `json:"significant,omitempty"`
	Warnings    []string `json:"warnings,omitempty"`
}

// Render implements Renderer.
func (r JSONRenderer) Render(w io.Writer, t *Table) error {
	t.check()
	out := jsonTable{Title: t.Title, Caption: t.Caption, Notes: t.Notes,
		Columns: make([]jsonColumn, len(t.Columns)), Rows: make([][]jsonCell, len(t.Rows))}
	for j, col := range t.Columns {
		out.Columns[j] = jsonColumn{Name: col.Name, Unit: col.Unit}
	}
	for i, row := range t.Rows {
		out.Rows[i] = make([]jsonCell, len(row.Cells))
		for j, c := range row.Cells {
			jc := jsonCell{Warnings: c.Warnings}
			switch c.Kind {
			case Text:
				jc.Text = &c.Text
			case Number:
				jc.Value, jc.Nonfinite = jsonFloat(c.Value)
				switch c.Bound {
				case IntervalBound:
					jc.Lo, _ = jsonFloat(c.Lo)
					jc.Hi, _ = jsonFloat(c.Hi)
				case ErrorBound:
					jc.Err, _ = jsonFloat(c.Err)
				}
				if c.NotSignificant {
					f := false
					jc.Significant = &f
				}
			}
			out.Rows[i][j] = jc
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", r.Indent)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("reports: writing JSON table %q: %w", t.Title, err)
	}
	return nil
}

// jsonFloat returns a pointer to v, or nil and the name of a non-finite v.
// A finite zero is kept (a pointer, so omitempty does not drop it).
func jsonFloat(v float64) (*float64, string) {
	switch {
	case math.IsNaN(v):
		return nil, "NaN"
	case math.IsInf(v, 1):
		return nil, "+Inf"
	case math.IsInf(v, -1):
		return nil, "-Inf"
	}
	return &v, ""
}
