package weights

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/npe/flow"
	"github.com/metabeta-go/metabeta/npe/nn"
)

func model(cfg flow.Config, seed uint64) *flow.Flow {
	return flow.New(cfg, rand.New(rand.NewPCG(seed, 1)))
}

var cfg = flow.Config{Dim: 3, Context: 2, Steps: 2, Hidden: 5, Depth: 1, Base: "studentt"}

func saved(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Save(&buf, cfg, model(cfg, 1).Params()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	src := model(cfg, 1)
	dst := model(cfg, 2)
	if err := Load(bytes.NewReader(saved(t)), cfg, dst.Params()); err != nil {
		t.Fatal(err)
	}
	// The loaded model is the saved model: same log density.
	rng := rand.New(rand.NewPCG(4, 1))
	const n = 5
	x, ctx := make([]float64, n*cfg.Dim), make([]float64, n*cfg.Context)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for i := range ctx {
		ctx[i] = rng.NormFloat64()
	}
	l1, l2 := make([]float64, n), make([]float64, n)
	src.LogProb(l1, x, ctx, nil, n)
	dst.LogProb(l2, x, ctx, nil, n)
	for r := range l1 {
		if l1[r] != l2[r] {
			t.Errorf("row %d: log q %v after loading, %v saved", r, l2[r], l1[r])
		}
	}
	for i, p := range src.Params() {
		q := dst.Params()[i]
		for j := range p.Value {
			if p.Value[j] != q.Value[j] {
				t.Fatalf("%s[%d]: %v after round trip, want %v", p.Name, j, q.Value[j], p.Value[j])
			}
		}
	}
}

func TestRefused(t *testing.T) {
	t.Parallel()
	good := saved(t)
	flip := append([]byte(nil), good...)
	flip[len(flip)/2] ^= 0x10
	badVersion := resum(good, func(b []byte) { b[8] = 9 })
	// A flipped byte in the version or in the JSON header, checksum left
	// as it was: corruption, found before the header is read.
	flipVersion := append([]byte(nil), good...)
	flipVersion[8] ^= 0x01
	flipHeader := append([]byte(nil), good...)
	flipHeader[20] ^= 0x01
	other := cfg
	other.Hidden = 6 // changes every conditioner shape and the config
	cases := []struct {
		name   string
		data   []byte
		config any
		params []*nn.Param
		want   error
		text   string
	}{
		{"flipped byte", flip, cfg, model(cfg, 3).Params(), ErrCorrupt, "checksum"},
		{"truncated", good[:len(good)-9], cfg, model(cfg, 3).Params(), ErrCorrupt, "checksum"},
		{"empty", nil, cfg, model(cfg, 3).Params(), ErrFormat, "magic"},
		{"version", badVersion, cfg, model(cfg, 3).Params(), ErrVersion, "version 9"},
		{"flipped version", flipVersion, cfg, model(cfg, 3).Params(), ErrCorrupt, "checksum"},
		{"flipped header", flipHeader, cfg, model(cfg, 3).Params(), ErrCorrupt, "checksum"},
		{"short", good[:20], cfg, model(cfg, 3).Params(), ErrCorrupt, "too short"},
		{"config", good, other, model(cfg, 3).Params(), ErrMismatch, "config"},
		{"shape", good, cfg, model(other, 3).Params(), ErrMismatch, "shape"},
		{"count", good, cfg, model(cfg, 3).Params()[1:], ErrMismatch, "parameters"},
	}
	for _, c := range cases {
		before := append([]float64(nil), c.params[0].Value...)
		err := Load(bytes.NewReader(c.data), c.config, c.params)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: got %v, want %v mentioning %q", c.name, err, c.want, c.text)
		}
		for j := range before {
			if before[j] != c.params[0].Value[j] {
				t.Errorf("%s: parameters modified on error", c.name)
				break
			}
		}
	}
}

// resum returns a copy of a weights file changed by edit, with its checksum
// recomputed over the changed bytes.
func resum(data []byte, edit func([]byte)) []byte {
	out := append([]byte(nil), data...)
	edit(out)
	body := out[:len(out)-sha256.Size]
	sum := sha256.Sum256(body)
	copy(out[len(body):], sum[:])
	return out
}

func TestConfig(t *testing.T) {
	t.Parallel()
	good := saved(t)
	raw, err := Config(good)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(cfg)
	if string(raw) != string(want) {
		t.Errorf("Config = %s, want %s", raw, want)
	}
	// Every single flipped bit of the header region is corruption, never a
	// parse error or a misread config: bytes 8 to 16+header length.
	hl := int(binary.LittleEndian.Uint32(good[12:16]))
	for i := 8; i < 16+hl; i++ {
		bad := append([]byte(nil), good...)
		bad[i] ^= 0x40
		if _, err := Config(bad); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "corrupted") {
			t.Fatalf("byte %d flipped: %v, want ErrCorrupt", i, err)
		}
	}
	bad := append([]byte(nil), good...)
	bad[0] ^= 0x01
	if _, err := Config(bad); !errors.Is(err, ErrFormat) {
		t.Errorf("magic flipped: %v, want ErrFormat", err)
	}
}
