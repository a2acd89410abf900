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

// TestOldModelsDrawUnchanged checks that the models shipped before
// Config.Correlations existed draw bit for bit what they drew before the
// correlation slots were added. The files in testdata are the shipped
// models of commits ff63202 (marginal flow variable, SHA-256 prefix
// 3595f9ea) and c4f46ba (whitened, 5a4ac7c6), copied from
// testdata/models/default.mbw at those commits; the digests were printed by
// this test's code at commit 5a15615. Sample on sleepstudy and loblolly
// (uncorrelated terms) and SampleBatch over both are covered. Off amd64 the
// compiler may fuse multiply-adds and change the last bits, so the test is
// skipped there.
func TestOldModelsDrawUnchanged(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("digests taken on amd64")
	}
	sets := []struct{ file, formula string }{
		{"../../testdata/datasets/sleepstudy.csv", "Reaction ~ Days + (1 + Days || Subject)"},
		{"../../testdata/realdata/loblolly.csv", "height ~ age + (1 + age || Seed)"},
	}
	var ds []*lmm.Design
	var prs []lmm.Prior
	for _, s := range sets {
		d, err := frame.Load(s.file, s.formula)
		if err != nil {
			t.Fatal(err)
		}
		pr, err := lmm.DefaultPrior(d)
		if err != nil {
			t.Fatal(err)
		}
		ds, prs = append(ds, d), append(prs, pr)
	}
	for _, c := range []struct {
		file          string
		sample, batch [2]string // per dataset of sets
	}{
		{"testdata/marginal-ff63202.mbw", [2]string{"e08a860dcf140874", "8a1be3b96695de81"}, [2]string{"1ce282f075996ed8", "b7a828629b17b896"}},
		{"testdata/whitened-c4f46ba.mbw", [2]string{"2db6b87a0a4f3da0", "8117518379321c98"}, [2]string{"eb8704675d63e75f", "cc5b1d92b7e25b34"}},
	} {
		raw, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		m, err := LoadBytes(raw)
		if err != nil {
			t.Fatal(err)
		}
		if m.Config.Correlations || m.Config.flowDim() != FlowDim {
			t.Fatalf("%s: loaded with correlation slots", c.file)
		}
		for i, d := range ds {
			post, err := m.Sample(d, prs[i], 300, newRand(uint64(3+i)))
			if err != nil {
				t.Fatal(err)
			}
			if got := drawsDigest(post.Draws, post.Theta, post.LogQ, post.RandomEffects, post.Mode, post.ModeSD); got != c.sample[i] {
				t.Errorf("%s, %s: Sample digest %s, want %s", c.file, sets[i].file, got, c.sample[i])
			}
		}
		posts, errs := m.SampleBatch(ds, prs, 100, newRand(11))
		if errs != nil {
			t.Fatal(errs)
		}
		for i, p := range posts {
			if got := drawsDigest(p.Draws, p.Theta, p.LogQ, p.RandomEffects); got != c.batch[i] {
				t.Errorf("%s, %s: SampleBatch digest %s, want %s", c.file, sets[i].file, got, c.batch[i])
			}
		}
	}
}
