package frame

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/metabeta-go/metabeta/lmm"
)

// Kind is the type inferred for a column of a Frame.
type Kind int

const (
	// Numeric columns hold only finite numbers (and missing values).
	Numeric Kind = iota
	// Text columns hold no value that parses as a number.
	Text
	// Mixed columns hold both numbers and text, or non-finite numbers
	// such as "NaN" and "Inf".
	Mixed
)

// String returns the lower-case name of the kind.
func (k Kind) String() string {
	switch k {
	case Numeric:
		return "numeric"
	case Text:
		return "text"
	case Mixed:
		return "mixed"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// valueClass classifies one field of a column.
type valueClass uint8

const (
	missingValue   valueClass = iota // "" or "NA"
	finiteValue                      // parses as a finite float
	nonFiniteValue                   // parses as NaN or ±Inf
	textValue                        // does not parse as a number
)

// column is one column of a Frame: the raw fields, their classes and, for
// numbers, their values.
type column struct {
	name  string
	raw   []string     // the field as read, surrounding spaces removed
	class []valueClass // class of each field
	num   []float64    // value of each finite or non-finite field, else 0
	kind  Kind

	nFinite, nNonFinite, nText int
}

// Frame is a table read from a CSV file: named columns of equal length, each
// numeric, text or mixed. Values are kept as read; Build interprets them
// against a formula.
type Frame struct {
	cols  []*column
	index map[string]int // column name → position
	lines []int          // file line on which each data row starts
	sep   rune           // field separator, detected from the header
}

// Separator returns the field separator detected from the header: ',', '\t'
// or ';'.
func (f *Frame) Separator() rune { return f.sep }

// Names returns the column names in file order.
func (f *Frame) Names() []string {
	names := make([]string, len(f.cols))
	for i, c := range f.cols {
		names[i] = c.name
	}
	return names
}

// NumRows returns the number of data rows, header excluded.
func (f *Frame) NumRows() int { return len(f.lines) }

// Kind returns the inferred kind of the named column and whether the column
// exists.
func (f *Frame) Kind(name string) (Kind, bool) {
	i, ok := f.index[name]
	if !ok {
		return 0, false
	}
	return f.cols[i].kind, true
}

// column returns the named column, or nil.
func (f *Frame) column(name string) *column {
	i, ok := f.index[name]
	if !ok {
		return nil
	}
	return f.cols[i]
}

// where describes data row i (0-based) for messages: its 1-based row number
// and the line of the file on which it starts.
func (f *Frame) where(i int) string {
	return fmt.Sprintf("row %d (line %d)", i+1, f.lines[i])
}

// ReadCSVFile reads the CSV file at path with ReadCSV. Errors name the path.
func ReadCSVFile(path string) (*Frame, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read data: %w", err)
	}
	defer file.Close()
	fr, err := ReadCSV(file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return fr, nil
}

// ReadCSV reads a table with a header row of column names. Fields are
// separated by commas, tabs or semicolons, whichever occurs most often
// outside quotes in the header (commas on a tie), as R's read.csv,
// read.delim and read.csv2 read them; in a semicolon-separated file a comma
// is also a decimal mark ("1,5" is 1.5), as in read.csv2. Fields may be
// quoted as in RFC 4180, and a leading UTF-8 byte-order mark is skipped. An
// empty field or NA is a missing value. Each column's Kind is inferred from
// its non-missing values: Numeric when all parse as finite numbers, Text when
// none parse as a number, Mixed otherwise. Mixed columns are rejected only
// when a formula uses them numerically (see Build).
//
// ReadCSV returns an error for an empty input, a header without data rows,
// an empty or duplicated column name, a row whose number of fields differs
// from the header's, and malformed quoting; the messages name the column or
// line, and quote values with lmm.QuoteShort.
func ReadCSV(r io.Reader) (*Frame, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	if bom, _ := br.Peek(len(utf8BOM)); string(bom) == utf8BOM {
		br.Discard(len(utf8BOM))
	}
	sep := sniffSeparator(br)
	cr := csv.NewReader(br)
	cr.Comma = sep
	cr.FieldsPerRecord = -1 // checked below, to name the line
	cr.ReuseRecord = true

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("empty file: no header row and no data rows")
	}
	if err != nil {
		return nil, fmt.Errorf("reading the header: %w", err)
	}
	fr := &Frame{index: make(map[string]int, len(header)), sep: sep}
	for i, name := range header {
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, fmt.Errorf("header: column %d has an empty name", i+1)
		}
		if j, dup := fr.index[name]; dup {
			return nil, fmt.Errorf("header: duplicate column name %s (columns %d and %d)", lmm.QuoteShort(name), j+1, i+1)
		}
		fr.index[name] = i
		fr.cols = append(fr.cols, &column{name: name})
	}

	decimalComma := sep == ';'
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading data: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(fr.cols) {
			return nil, fmt.Errorf("line %d has %d fields, the header has %d%s", line, len(rec), len(fr.cols), fr.separatorNote())
		}
		fr.lines = append(fr.lines, line)
		for i, field := range rec {
			fr.cols[i].add(field, decimalComma)
		}
	}
	if len(fr.lines) == 0 {
		return nil, errors.New("no data rows: the file has only a header")
	}
	for _, c := range fr.cols {
		c.kind = c.inferKind()
	}
	return fr, nil
}

const (
	utf8BOM = "\uFEFF" // byte-order mark that Excel writes before "CSV UTF-8"
	// sniffSize is the most of the header row that sniffSeparator reads.
	sniffSize = 64 << 10
)

// sniffSeparator returns the field separator of the table in br from its
// header row, without consuming it: the most frequent of comma, tab and
// semicolon outside double quotes in the first line (or its first 64 KiB),
// with ties going to the comma and then the tab.
func sniffSeparator(br *bufio.Reader) rune {
	head, _ := br.Peek(sniffSize) // a short read is fine: a small file
	var commas, tabs, semis int
	quoted := false
scan:
	for _, c := range head {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			break scan
		case c == ',':
			commas++
		case c == '\t':
			tabs++
		case c == ';':
			semis++
		}
	}
	switch {
	case commas >= tabs && commas >= semis:
		return ','
	case tabs >= semis:
		return '\t'
	}
	return ';'
}

// separatorNote returns, for a file whose separator is not a comma, a
// clause saying which one was detected, to append to a message.
func (f *Frame) separatorNote() string {
	switch f.sep {
	case '\t':
		return " (fields separated by tabs, as detected from the header)"
	case ';':
		return " (fields separated by semicolons, as detected from the header)"
	}
	return ""
}

// add appends one field to the column. With decimalComma, a comma in a
// number is its decimal mark.
func (c *column) add(field string, decimalComma bool) {
	s := strings.TrimSpace(field)
	class, v := classify(s)
	if decimalComma && class == textValue && strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		class, v = classify(strings.Replace(s, ",", ".", 1))
	}
	switch class {
	case finiteValue:
		c.nFinite++
	case nonFiniteValue:
		c.nNonFinite++
	case textValue:
		c.nText++
	}
	c.raw = append(c.raw, s)
	c.class = append(c.class, class)
	c.num = append(c.num, v)
}

// classify returns the class of a trimmed field and its numeric value.
func classify(s string) (valueClass, float64) {
	if s == "" || s == "NA" {
		return missingValue, 0
	}
	if !mayBeNumber(s[0]) {
		return textValue, 0 // skip ParseFloat's error allocation
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Out-of-range literals such as 1e999 come back as ±Inf with
		// ErrRange; they are non-finite numbers, not text.
		var ne *strconv.NumError
		if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) && math.IsInf(v, 0) {
			return nonFiniteValue, v
		}
		return textValue, 0
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nonFiniteValue, v
	}
	return finiteValue, v
}

// mayBeNumber reports whether a field starting with byte c could parse as
// a float: a digit, sign or point, or the start of "Inf", "Infinity" or "NaN".
func mayBeNumber(c byte) bool {
	return c >= '0' && c <= '9' || strings.IndexByte("+-.iInN", c) >= 0
}

// inferKind returns the column's Kind from its value counts.
func (c *column) inferKind() Kind {
	switch {
	case c.nNonFinite == 0 && c.nText == 0:
		return Numeric
	case c.nFinite == 0 && c.nNonFinite == 0:
		return Text
	}
	return Mixed
}

// numericError returns nil when every non-missing value of the column is a
// finite number, and otherwise an error naming the column, the first
// offending value and its row. role says how the column is used.
func (c *column) numericError(fr *Frame, role string) error {
	if c.kind == Numeric {
		return nil
	}
	for i, class := range c.class {
		switch class {
		case nonFiniteValue:
			return fmt.Errorf("column %s: value %s at %s is not a finite number; %s must be finite (write NA for a missing value)",
				lmm.QuoteShort(c.name), lmm.QuoteShort(c.raw[i]), fr.where(i), role)
		case textValue:
			return fmt.Errorf("column %s: value %s at %s is not numeric; %s must be numeric",
				lmm.QuoteShort(c.name), lmm.QuoteShort(c.raw[i]), fr.where(i), role)
		}
	}
	return nil
}

// isFactor reports whether the column, used as a predictor, is a factor:
// a Text column, or a Mixed column whose values are mostly text and hold no
// non-finite number.
func (c *column) isFactor() bool {
	switch c.kind {
	case Text:
		return true
	case Mixed:
		return c.nNonFinite == 0 && c.nText > c.nFinite
	}
	return false
}
