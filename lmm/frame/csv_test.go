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
