package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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

// checkIdentity writes dir/run.json for a new run, or, when the directory
// already holds records, requires that it matches cfg.
func checkIdentity(dir string, cfg Config, resuming bool) error {
	path := filepath.Join(dir, IdentityFile)
	want := identity(cfg)
	got, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist) || (err == nil && !resuming):
		return os.WriteFile(path, want, 0o644)
	case err != nil:
		return err
	case !bytes.Equal(got, want):
		return fmt.Errorf("%s: the run there used another configuration (seed, datasets, sampler or shard; see %s): resume it with the same flags, or use another --out", dir, path)
	}
	return nil
}

// readIdentity reads the configuration recorded in a run directory.
func readIdentity(dir string) (Config, error) {
	raw, err := os.ReadFile(filepath.Join(dir, IdentityFile))
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", dir, err)
	}
	var c Config
	if err := json.Unmarshal(raw, &c); err != nil {
		return Config{}, fmt.Errorf("%s: %w", filepath.Join(dir, IdentityFile), err)
	}
	return c, nil
}
