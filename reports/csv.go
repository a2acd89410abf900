package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// CSVRenderer renders a Table as RFC 4180 CSV for machines, not people:
// numbers are written at full precision (strconv 'g', shortest exact form)
// so they read back bit-for-bit, and the Format hints are ignored.
//
// The header row holds the column headers. A column with any interval gets
// two extra columns "<header> lo" and "<header> hi"; one with any ± error
// gets "<header> err"; one with any non-significant cell gets
// "<header> significant" (true/false). A final "warnings" column holds
// each row's warnings joined by "; ". Empty cells and absent bounds are
// empty fields; the title, caption and notes are not written.
type CSVRenderer struct{}

// csvLayout says which extra fields column j carries.
type csvLayout struct {
	interval, err, signif bool
}

// Render implements Renderer.
func (CSVRenderer) Render(w io.Writer, t *Table) error {
	t.check()
	layout := make([]csvLayout, len(t.Columns))
	for _, r := range t.Rows {
		for j, c := range r.Cells {
			layout[j].interval = layout[j].interval || c.Bound == IntervalBound
			layout[j].err = layout[j].err || c.Bound == ErrorBound
			layout[j].signif = layout[j].signif || c.NotSignificant
		}
	}
	var record []string
	for j, col := range t.Columns {
		h := col.header()
		record = append(record, h)
		if layout[j].interval {
			record = append(record, h+" lo", h+" hi")
		}
		if layout[j].err {
			record = append(record, h+" err")
		}
		if layout[j].signif {
			record = append(record, h+" significant")
		}
	}
	record = append(record, "warnings")
	cw := csv.NewWriter(w)
	if err := cw.Write(record); err != nil {
		return fmt.Errorf("reports: writing CSV table %q: %w", t.Title, err)
	}
	for i, r := range t.Rows {
		record = record[:0]
		var warnings []string
		for j, c := range r.Cells {
			record = append(record, csvValue(c))
			if layout[j].interval {
				if c.Bound == IntervalBound {
					record = append(record, csvFloat(c.Lo), csvFloat(c.Hi))
				} else {
					record = append(record, "", "")
				}
			}
			if layout[j].err {
				if c.Bound == ErrorBound {
					record = append(record, csvFloat(c.Err))
				} else {
					record = append(record, "")
				}
			}
			if layout[j].signif {
				if c.Kind == Number {
					record = append(record, strconv.FormatBool(!c.NotSignificant))
				} else {
					record = append(record, "")
				}
			}
			warnings = append(warnings, c.Warnings...)
		}
		record = append(record, strings.Join(warnings, "; "))
		if err := cw.Write(record); err != nil {
			return fmt.Errorf("reports: writing CSV table %q row %d: %w", t.Title, i, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("reports: writing CSV table %q: %w", t.Title, err)
	}
	return nil
}

func csvValue(c Cell) string {
	switch c.Kind {
	case Number:
		return csvFloat(c.Value)
	case Text:
		return c.Text
	}
	return ""
}

// csvFloat writes v in the shortest form that parses back to v exactly;
// NaN and infinities as "NaN", "+Inf" and "-Inf", which strconv.ParseFloat
// reads back.
func csvFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
