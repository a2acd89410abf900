package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// IdentityFile records, in a run directory, the configuration its records
// were made with, so that a resumed run or a merge cannot mix runs.
const IdentityFile = "run.json"

// identity returns the JSON of the parts of cfg that determine the
// records, shard included.
func identity(cfg Config) []byte {
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		panic("validate: config does not marshal: " + err.Error()) // plain data: a programmer error
	}
	return append(b, '\n')
}

// ErrNoRun reports a directory that a resume or a merge expects to hold a
// validate run but that holds none, or none that can be trusted.
var ErrNoRun = errors.New("no validate run")

// checkIdentity writes dir/run.json for a new run (resuming false), or, for
// a resumed run, requires that dir/run.json exists and records cfg. nRecords
// is the number of records the directory already holds: a resume of a
// directory without run.json is refused, since the configuration of its
// records (if any) is unknown.
func checkIdentity(dir string, cfg Config, resuming bool, nRecords int) error {
	path := filepath.Join(dir, IdentityFile)
	want := identity(cfg)
	if !resuming {
		return os.WriteFile(path, want, 0o644)
	}
	got, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist) && nRecords > 0:
		return fmt.Errorf("%s: %w: %s holds %d records but %s is missing, so the configuration they were made with is unknown: restore %s, or drop --resume and use another --out",
			dir, ErrNoRun, RecordsFile, nRecords, IdentityFile, IdentityFile)
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s: %w to resume (no %s, no records): drop --resume to start one there", dir, ErrNoRun, IdentityFile)
	case err != nil:
		return err
	}
	diffs, err := identityDiff(got, want)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%s: the run there used another configuration: %s; resume it with the same flags, or use another --out",
			dir, strings.Join(diffs, "; "))
	}
	return nil
}

// identityDiff compares a run.json read from disk with the identity of this
// run and returns one line per setting that differs, such as
// "seed: run.json has 1, this run 5 (--seed)". A file that is not a
// configuration is an error that says it is corrupt.
func identityDiff(got, want []byte) ([]string, error) {
	old, err := parseIdentity(got)
	if err != nil {
		return nil, fmt.Errorf("%w: restore it, or start afresh in another --out", err)
	}
	cur, err := parseIdentity(want)
	if err != nil {
		panic("validate: identity does not read back: " + err.Error()) // written by identity: a programmer error
	}
	var a, b map[string]any
	if err := decodeNumbers(got, &a); err != nil {
		panic("validate: run.json parsed but does not decode: " + err.Error()) // parseIdentity decoded it
	}
	if err := decodeNumbers(want, &b); err != nil {
		panic("validate: identity does not read back: " + err.Error())
	}
	var out []string
	// The shard reads as the flag writes it, k/n.
	if old.shardName() != cur.shardName() {
		out = append(out, fmt.Sprintf("shard: %s has %s, this run %s (--shard)", IdentityFile, old.shardName(), cur.shardName()))
	}
	delete(a, "shard")
	delete(b, "shard")
	jsonDiff("", a, b, IdentityFile, "this run", &out)
	return briefDiff(out), nil
}

// maxDiffs is the number of differing settings a message names.
const maxDiffs = 6

// briefDiff orders the lines of jsonDiff with the settings a user sets
// one by one first (seed, datasets, shard, model, in that order), and
// keeps maxDiffs.
func briefDiff(lines []string) []string {
	rank := func(l string) int {
		for i, k := range []string{"seed:", "simulated:", "shard:", "model:"} {
			if strings.HasPrefix(l, k) {
				return i
			}
		}
		return 4
	}
	slices.SortStableFunc(lines, func(a, b string) int { return rank(a) - rank(b) })
	if len(lines) > maxDiffs {
		lines = append(lines[:maxDiffs:maxDiffs], fmt.Sprintf("and %d more settings", len(lines)-maxDiffs))
	}
	return lines
}

// decodeNumbers decodes JSON keeping numbers as written, so that a seed of
// 20 digits compares exactly.
func decodeNumbers(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

// settingFlag names the flag of `metabeta validate` that sets each entry of
// run.json.
var settingFlag = map[string]string{
	"seed":                 "--seed",
	"simulated":            "--datasets",
	"nuts":                 "--quick",
	"sbc_draws":            "--quick",
	"random_effect_groups": "--quick",
	"real":                 "--quick, --data-dir",
	"shard":                "--shard",
	"model":                "--model",
	"npe_draws":            "--quick",
	"real_seeds":           "--real-seeds",
	"sbc_only":             "--quick",
	"misspec":              "--quick",
	"misspec_datasets":     "--quick",
}

// jsonDiff appends to out a line for each leaf where the decoded JSON
// values a and b differ, named by its path and saying what each side,
// named nameA and nameB, holds.
func jsonDiff(path string, a, b any, nameA, nameB string, out *[]string) {
	switch x := a.(type) {
	case map[string]any:
		if y, ok := b.(map[string]any); ok {
			keys := make([]string, 0, len(x)+len(y))
			for k := range x {
				keys = append(keys, k)
			}
			for k := range y {
				if _, ok := x[k]; !ok {
					keys = append(keys, k)
				}
			}
			slices.Sort(keys)
			for _, k := range keys {
				p := k
				if path != "" {
					p = path + "." + k
				}
				jsonDiff(p, x[k], y[k], nameA, nameB, out)
			}
			return
		}
	case []any:
		if y, ok := b.([]any); ok && len(x) == len(y) {
			for i := range x {
				jsonDiff(fmt.Sprintf("%s[%d]", path, i), x[i], y[i], nameA, nameB, out)
			}
			return
		}
	}
	ja, jb := compactJSON(a), compactJSON(b)
	if ja == jb {
		return
	}
	line := fmt.Sprintf("%s: %s has %s, %s %s", path, nameA, ja, nameB, jb)
	top, _, _ := strings.Cut(path, ".")
	top, _, _ = strings.Cut(top, "[")
	if f, ok := settingFlag[top]; ok {
		line += " (" + f + ")"
	}
	*out = append(*out, line)
}

// compactJSON renders a decoded JSON value for a message, "none" when
// absent, and at most 80 bytes of it.
func compactJSON(v any) string {
	if v == nil {
		return "none"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 80 {
		return string(b[:77]) + "…"
	}
	return string(b)
}

// readIdentity reads the configuration recorded in a run directory.
func readIdentity(dir string) (Config, error) {
	path := filepath.Join(dir, IdentityFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if _, serr := os.Stat(dir); serr != nil {
			return Config{}, fmt.Errorf("%s: %w", dir, serr)
		}
		return Config{}, fmt.Errorf("%s: %w: no %s (it is written when a validate run starts)", dir, ErrNoRun, IdentityFile)
	}
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", dir, err)
	}
	c, err := parseIdentity(raw)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// parseIdentity reads the JSON of a run.json; its errors say the file is
// corrupt and name the JSON error or the entry of the wrong type.
func parseIdentity(raw []byte) (Config, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return Config{}, errors.New("corrupt (empty)")
	}
	var obj map[string]any
	if err := decodeNumbers(raw, &obj); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Config{}, fmt.Errorf("corrupt (it holds a JSON %s, want an object)", te.Value)
		}
		return Config{}, fmt.Errorf("corrupt (%v)", err)
	}
	if obj == nil {
		return Config{}, errors.New("corrupt (it holds null, want an object)")
	}
	var c Config
	if err := json.Unmarshal(raw, &c); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Config{}, fmt.Errorf("corrupt (entry %s holds a JSON %s, want a %s)", te.Field, te.Value, te.Type)
		}
		return Config{}, fmt.Errorf("corrupt (%v)", err)
	}
	return c, nil
}
