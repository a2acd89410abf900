package sim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// WriteCSV writes the data of s as CSV with a header: the response y, the
// predictors x1, x2, … (no intercept column, and no interaction column,
// which the formula's "xa:xb" computes from its factors, as in R) and the
// group g as its level label, one row per observation in design order. Numbers are
// formatted with strconv.FormatFloat(v, 'g', -1, 64), the shortest text that
// reads back to the same float64, so the output is byte-identical for the
// same sample.
func WriteCSV(w io.Writer, s *Sample) error {
	d := s.Design
	p := d.P()
	first, end := 0, p
	if d.Intercept {
		first = 1
	}
	if s.Interaction != nil {
		end = p - 1
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(d.Response)
	for _, t := range d.Fixed[first:end] {
		bw.WriteString("," + t)
	}
	bw.WriteString("," + d.Group + "\n")
	var buf []byte
	for i := range d.N() {
		buf = strconv.AppendFloat(buf[:0], d.Y[i], 'g', -1, 64)
		for _, v := range d.X[i*p+first : i*p+end] {
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, v, 'g', -1, 64)
		}
		buf = append(buf, ',')
		buf = append(buf, d.Levels[d.G[i]]...)
		buf = append(buf, '\n')
		bw.Write(buf)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("sim: writing CSV of dataset %d: %w", s.Index, err)
	}
	return nil
}

// NamedValue is a parameter's brms name and its value.
type NamedValue struct {
	Name  string
	Value float64
}

// Truth returns the true parameters of s as (brms name, value) pairs in
// order: the global parameters as named by Design.Names (b_*, sd_g__*,
// sigma, and cor_g__*__* for a correlated design), then the random effects
// as named by Design.RandomNames (r_g[level,term], group-major).
func Truth(s *Sample) []NamedValue {
	d := s.Design
	names := d.Names()
	out := make([]NamedValue, 0, len(names)+len(s.RandomEffects))
	vals := make([]float64, 0, len(names))
	vals = append(vals, s.Truth.Beta...)
	vals = append(vals, s.Truth.SigmaB...)
	vals = append(vals, s.Truth.Sigma)
	vals = append(vals, s.Truth.Cor...)
	for k, n := range names {
		out = append(out, NamedValue{n, vals[k]})
	}
	for k, n := range d.RandomNames() {
		out = append(out, NamedValue{n, s.RandomEffects[k]})
	}
	return out
}

// WriteTruthJSON writes Truth(s) as one JSON object whose keys keep that
// order, e.g. {"b_Intercept": 0.5, …, "r_g[1,Intercept]": -0.2}, followed
// by a newline. Values use the shortest round-trip formatting, so the
// output is byte-identical for the same sample.
func WriteTruthJSON(w io.Writer, s *Sample) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("{")
	var buf []byte
	for k, nv := range Truth(s) {
		if k > 0 {
			bw.WriteString(",")
		}
		name, err := json.Marshal(nv.Name)
		if err != nil {
			return fmt.Errorf("sim: writing truth of dataset %d: %w", s.Index, err)
		}
		buf = append(append(buf[:0], name...), ": "...)
		buf = strconv.AppendFloat(buf, nv.Value, 'g', -1, 64)
		bw.Write(buf)
	}
	bw.WriteString("}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("sim: writing truth of dataset %d: %w", s.Index, err)
	}
	return nil
}
