package estimator

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"runtime"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/lmm/frame"
)

// drawsDigest returns the first 16 hex digits of the SHA-256 of the IEEE
// bits of xs, in order: a fingerprint of draws that changes with any bit.
func drawsDigest(xs ...[]float64) string {
	h := sha256.New()
	var b [8]byte
	for _, x := range xs {
		for _, v := range x {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
			h.Write(b[:])
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil))[:16]
}

// TestShippedModelDrawsUnchanged checks that the shipped model
// (testdata/models/default.mbw, SHA-256 prefix 5a4ac7c6, written before
// Config.Correlations existed) draws bit for bit what it drew before the
// correlation slots were added: the digests below were printed by this
// test's code at commit 5a15615. Sample on sleepstudy and loblolly
// (uncorrelated terms) and SampleBatch over both are covered. It is skipped
// for another model file (a retrain changes every draw) and off amd64,
// where the compiler may fuse multiply-adds and change the last bits.
func TestShippedModelDrawsUnchanged(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/models/default.mbw")
	if err != nil {
		t.Skip("no shipped model:", err)
	}
	if sum := fmt.Sprintf("%x", sha256.Sum256(raw)); sum[:8] != "5a4ac7c6" {
		t.Skipf("the shipped model is another (SHA-256 %s…), not the one the digests were taken from", sum[:8])
	}
	if runtime.GOARCH != "amd64" {
		t.Skip("digests taken on amd64")
	}
	m, err := LoadBytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	sets := []struct{ file, formula, sample, batch string }{
		{"../../testdata/datasets/sleepstudy.csv", "Reaction ~ Days + (1 + Days || Subject)", "2db6b87a0a4f3da0", "eb8704675d63e75f"},
		{"../../testdata/realdata/loblolly.csv", "height ~ age + (1 + age || Seed)", "8117518379321c98", "cc5b1d92b7e25b34"},
	}
	var ds []*lmm.Design
	var prs []lmm.Prior
	for i, s := range sets {
		d, err := frame.Load(s.file, s.formula)
		if err != nil {
			t.Fatal(err)
		}
		pr, err := lmm.DefaultPrior(d)
		if err != nil {
			t.Fatal(err)
		}
		ds, prs = append(ds, d), append(prs, pr)
		post, err := m.Sample(d, pr, 300, newRand(uint64(3+i)))
		if err != nil {
			t.Fatal(err)
		}
		if got := drawsDigest(post.Draws, post.Theta, post.LogQ, post.RandomEffects, post.Mode, post.ModeSD); got != s.sample {
			t.Errorf("%s: Sample digest %s, want %s", s.file, got, s.sample)
		}
	}
	posts, errs := m.SampleBatch(ds, prs, 100, newRand(11))
	if errs != nil {
		t.Fatal(errs)
	}
	for i, p := range posts {
		if got := drawsDigest(p.Draws, p.Theta, p.LogQ, p.RandomEffects); got != sets[i].batch {
			t.Errorf("%s: SampleBatch digest %s, want %s", sets[i].file, got, sets[i].batch)
		}
	}
}
