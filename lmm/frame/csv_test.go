package frame

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestReadCSVKinds(t *testing.T) {
	// Hand-made table: the expected kinds follow the rules in doc.go.
	const data = "\uFEFFy,x,f,mix,nf,empty\n" +
		"1.5,1,a,1,NaN,NA\n" +
		`2,"2",b,b,1,` + "\n" +
		"NA,3e1,\"c, d\",3,Inf,\n"
	fr, err := ReadCSV(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fr.NumRows(), 3; got != want {
		t.Errorf("NumRows = %d, want %d", got, want)
	}
	if got, want := strings.Join(fr.Names(), ","), "y,x,f,mix,nf,empty"; got != want {
		t.Errorf("Names = %s, want %s (byte-order mark stripped)", got, want)
	}
	for name, want := range map[string]Kind{
		"y": Numeric, "x": Numeric, "f": Text, "mix": Mixed, "nf": Mixed, "empty": Numeric,
	} {
		if got, ok := fr.Kind(name); !ok || got != want {
			t.Errorf("Kind(%q) = %v, %v; want %v", name, got, ok, want)
		}
	}
	if _, ok := fr.Kind("nope"); ok {
		t.Error(`Kind("nope") reports a column`)
	}
	if got, want := fr.column("f").raw[2], "c, d"; got != want {
		t.Errorf("quoted field = %q, want %q", got, want)
	}
	if got, want := fr.column("x").num[2], 30.0; got != want {
		t.Errorf("x[2] = %v, want %v", got, want)
	}
}

func TestReadCSVErrors(t *testing.T) {
	tests := []struct {
		name, data string
		want       []string // substrings of the message
	}{
		{"empty file", "", []string{"empty file"}},
		{"blank lines only", "\n\n", []string{"empty file"}},
		{"header only", "y,x,g\n", []string{"no data rows"}},
		{"duplicate column", "y,x,y\n1,2,3\n", []string{`duplicate column name "y"`, "columns 1 and 3"}},
		{"empty column name", "y,,g\n1,2,3\n", []string{"column 2 has an empty name"}},
		{"ragged row", "y,x,g\n1,2,3\n4,5\n", []string{"line 3", "2 fields", "header has 3"}},
		{"long row", "y,x\n1,2\n3,4\n5,6,7\n", []string{"line 4", "3 fields"}},
		{"bad quote", "y,x\n1,\"2\n", []string{"reading data", "line"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(tc.data))
			checkError(t, err, tc.want)
		})
	}
}

func TestReadCSVFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.csv")
	_, err := ReadCSVFile(path)
	checkError(t, err, []string{path, "no such file"})
}

func TestReadCSVFileNamesPath(t *testing.T) {
	path := filepath.Join("testdata", "headeronly.csv")
	_, err := ReadCSVFile(path)
	checkError(t, err, []string{path, "no data rows"})
}

// checkError fails the test unless err is non-nil and its message holds
// every substring in want.
func checkError(t *testing.T, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}

func TestReadCSVByteOrderMark(t *testing.T) {
	// Excel's "CSV UTF-8" starts with EF BB BF; before a quoted header
	// field, encoding/csv alone reports a bare quote.
	for _, data := range []string{
		"\uFEFF\"y\",\"x\",\"g\"\n1,2,a\n",
		"\uFEFFy,x,g\n1,2,a\n",
		"\uFEFFy\tx\tg\n1\t2\ta\n",
	} {
		fr, err := ReadCSV(strings.NewReader(data))
		if err != nil {
			t.Fatalf("%q: %v", data, err)
		}
		if got := strings.Join(fr.Names(), ","); got != "y,x,g" {
			t.Errorf("%q: Names = %s, want y,x,g", data, got)
		}
	}
}

func TestReadCSVSeparators(t *testing.T) {
	// The same hand-made table with tabs (R's read.delim), semicolons with
	// decimal commas (read.csv2) and commas: y = 1.5, 2, 3; x = 10, 20, 30.
	tests := []struct {
		name, data string
		sep        rune
	}{
		{"comma", "y,x,\"g h\"\n1.5,10,a\n2,20,b\n3,30,\"c;d\"\n", ','},
		{"tab", "y\tx\t\"g h\"\n1.5\t10\ta\n2\t20\tb\n3\t30\t\"c;d\"\n", '\t'},
		{"semicolon", "y;x;\"g h\"\n1,5;10;a\n2;20;b\n3;30;\"c;d\"\n", ';'},
		{"semicolon, decimal point", "y;x;\"g h\"\n1.5;10;a\n2;20;b\n3;30;\"c;d\"\n", ';'},
		// Separators inside a quoted header name do not count.
		{"tab, quoted commas", "\"y,1\"\tx\t\"g,h\"\n1.5\t10\ta\n2\t20\tb\n3\t30\tc;d\n", '\t'},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fr, err := ReadCSV(strings.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if fr.Separator() != tc.sep {
				t.Errorf("Separator = %q, want %q", fr.Separator(), tc.sep)
			}
			if fr.NumRows() != 3 || len(fr.cols) != 3 {
				t.Fatalf("%d rows, %d columns; want 3, 3", fr.NumRows(), len(fr.cols))
			}
			y := fr.cols[0]
			if y.kind != Numeric || y.num[0] != 1.5 || y.num[1] != 2 || y.num[2] != 3 {
				t.Errorf("first column: kind %v, values %v; want numeric 1.5, 2, 3", y.kind, y.num)
			}
			if k, _ := fr.Kind("x"); k != Numeric {
				t.Errorf("x is %v", k)
			}
			if g := fr.cols[2]; g.kind != Text || g.raw[2] != "c;d" {
				t.Errorf("third column: kind %v, values %q", g.kind, g.raw)
			}
		})
	}
}

func TestReadCSVSeparatorErrors(t *testing.T) {
	// A ragged row names the separator that was detected; in a comma file a
	// decimal comma is text, and in a semicolon file "1,000.5" is text.
	_, err := ReadCSV(strings.NewReader("y\tx\tg\n1\t2\ta\n1,2,3\n"))
	checkError(t, err, []string{"line 3 has 1 fields, the header has 3", "separated by tabs"})
	_, err = ReadCSV(strings.NewReader("y;x;g\n1;2;a\n1;2\n"))
	checkError(t, err, []string{"line 3 has 2 fields", "separated by semicolons"})
	fr, err := ReadCSV(strings.NewReader("y;x;g\n1;1,000.5;a\n"))
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := fr.Kind("x"); k != Text {
		t.Errorf(`"1,000.5" in a semicolon file: x is %v, want text`, k)
	}
	// A space-separated header is one unknown column, and the message
	// says why.
	fr, err = ReadCSV(strings.NewReader("y x g\n1 2 a\n"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFormula("y ~ x + (1 | g)")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(fr, f)
	checkError(t, err, []string{`unknown column "y"`, "read as a single column", "commas, tabs or semicolons"})
}

func TestReadCSVHugeFieldShortened(t *testing.T) {
	// A 3 MB field (3·2²⁰ bytes) must be quoted by its first 40 characters
	// and its length, never whole.
	huge := strings.Repeat("z", 3<<20)
	form, err := ParseFormula("y ~ x + (1 | g)")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, data string
		want       []string
	}{
		{"response value", "y,x,g\n1,1,a\n" + huge + ",2,b\n", []string{`column "y": value "zzzz`, `…" (3145728 bytes) at row 2`}},
		{"duplicate header", huge + ",x," + huge + "\n1,2,3\n", []string{"duplicate column name", "(3145728 bytes)", "columns 1 and 3"}},
		{"unknown column", "y," + huge + ",g\n1,2,a\n", []string{`unknown column "x"`}},
		{"constant factor", "y,x,f,g\n1,1," + huge + ",a\n2,2," + huge + ",b\n3,3," + huge + ",a\n", []string{"(3145728 bytes)", "constant"}},
		{"huge number", "y,x,g\n1,1,a\n2,2,b\n3,3,a\n4,1" + strings.Repeat("0", 1<<20) + ",b\n", []string{"not a finite number", "(1048577 bytes)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fr, err := ReadCSV(strings.NewReader(tc.data))
			if err == nil {
				f := form
				if strings.Contains(tc.name, "factor") {
					f, _ = ParseFormula("y ~ x + f + (1 | g)")
				}
				_, err = Build(fr, f)
			}
			if err != nil && len(err.Error()) > 500 {
				t.Fatalf("error of %d bytes: %.300s…", len(err.Error()), err)
			}
			checkError(t, err, tc.want)
		})
	}
}
