package weights

import (
	"bytes"
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
	badVersion := append([]byte(nil), good...)
	badVersion[8] = 9
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
