package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// malformedCase is one entry of the catalogue of malformed and hostile
// inputs (issue 12): the command line, the files it needs, the exit status
// it must give and the words its message must contain. Each area of the CLI
// keeps its own table in a file of its own (catalogue_*_test.go) and runs it
// with checkCatalogue.
type malformedCase struct {
	name string
	// files are written into a fresh directory before the run: name → content.
	files map[string]string
	// args is the command line; "$DIR" in an argument is replaced by that
	// directory.
	args []string
	// code is the expected exit status: 0 success, 1 a failure of the
	// command, 2 bad usage (and what a command documents beyond these).
	code int
	// want are words that stderr must contain (stdout too when code is 0).
	want []string
	// reject are words that must not appear in stderr, such as "panic".
	reject []string
}

// checkCatalogue runs every case in-process and reports the ones whose exit
// status or message differ from the catalogue.
func checkCatalogue(t *testing.T, cases []malformedCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range c.files {
				path := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := make([]string, len(c.args))
			for i, a := range c.args {
				args[i] = strings.ReplaceAll(a, "$DIR", dir)
			}
			stdout, stderr, code := runCLI(t, args...)
			text := stderr
			if c.code == 0 {
				text = stdout + stderr
			}
			if code != c.code {
				t.Errorf("metabeta %s: exit %d, want %d\nstderr: %s", strings.Join(args, " "), code, c.code, clip(stderr))
			}
			for _, w := range c.want {
				if !strings.Contains(text, strings.ReplaceAll(w, "$DIR", dir)) {
					t.Errorf("metabeta %s: message lacks %q\nstderr: %s", strings.Join(args, " "), w, clip(stderr))
				}
			}
			for _, r := range append([]string{"panic", "goroutine "}, c.reject...) {
				if strings.Contains(stderr, r) {
					t.Errorf("metabeta %s: message contains %q\nstderr: %s", strings.Join(args, " "), r, clip(stderr))
				}
			}
		})
	}
}

// clip shortens a message for a test failure.
func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}
