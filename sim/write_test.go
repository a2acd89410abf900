package sim

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/metabeta-go/metabeta/lmm/frame"
)

// TestWriteCSVRoundTrip checks the header, the row count, and that every
// value reads back to the exact float64 of the design.
func TestWriteCSVRoundTrip(t *testing.T) {
	t.Parallel()
	c := DefaultConfig()
	c.Fixed = IntRange{3, 3}
	c.Random = IntRange{2, 2}
	c.Groups = IntRange{6, 6}
	smp := draw(t, newSim(t, c), 5, 2)
	var b bytes.Buffer
	if err := WriteCSV(&b, smp); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	d := smp.Design
	if want := []string{"y", "x1", "x2", "g"}; !slices.Equal(recs[0], want) {
		t.Fatalf("header %v, want %v", recs[0], want)
	}
	if len(recs) != d.N()+1 {
		t.Fatalf("%d records, want N+1 = %d", len(recs), d.N()+1)
	}
	for i, rec := range recs[1:] {
		want := []float64{d.Y[i], d.X[i*3+1], d.X[i*3+2]}
		for k, w := range want {
			if got, err := strconv.ParseFloat(rec[k], 64); err != nil || got != w {
				t.Fatalf("row %d field %d: %q reads as %v (%v), want %v", i, k, rec[k], got, err, w)
			}
		}
		if rec[3] != d.Levels[d.G[i]] {
			t.Fatalf("row %d: group %q, want %q", i, rec[3], d.Levels[d.G[i]])
		}
	}
}

// TestTruth checks the order and values of the truth record and that its
// JSON form parses with the same keys.
func TestTruth(t *testing.T) {
	t.Parallel()
	c := DefaultConfig()
	c.Fixed = IntRange{2, 2}
	c.Random = IntRange{2, 2}
	c.Groups = IntRange{5, 5}
	c.CorrelatedQ2 = 1
	smp := draw(t, newSim(t, c), 6, 0)
	tr := Truth(smp)
	d := smp.Design
	wantNames := append(d.Names(), d.RandomNames()...)
	if len(tr) != len(wantNames) || len(tr) != 2+2+1+1+5*2 {
		t.Fatalf("%d truth entries, want P+Q+1+NCor+M·Q = 16", len(tr))
	}
	wantVals := slices.Concat(smp.Truth.Beta, smp.Truth.SigmaB, []float64{smp.Truth.Sigma}, smp.Truth.Cor, smp.RandomEffects)
	for k, nv := range tr {
		if nv.Name != wantNames[k] || nv.Value != wantVals[k] {
			t.Errorf("entry %d = %v, want {%s %v}", k, nv, wantNames[k], wantVals[k])
		}
	}
	if tr[0].Name != "b_Intercept" || tr[4].Name != "sigma" || tr[5].Name != "cor_g__Intercept__x1" ||
		tr[6].Name != "r_g[1,Intercept]" || tr[7].Name != "r_g[1,x1]" {
		t.Errorf("names %v", tr)
	}
	var b bytes.Buffer
	if err := WriteTruthJSON(&b, smp); err != nil {
		t.Fatal(err)
	}
	var got map[string]float64
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("truth JSON %q: %v", b.String(), err)
	}
	for _, nv := range tr {
		if got[nv.Name] != nv.Value {
			t.Errorf("JSON %s = %v, want %v", nv.Name, got[nv.Name], nv.Value)
		}
	}
}

// failWriter fails every write.
type failWriter struct{}

var errWrite = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWritersReportErrors(t *testing.T) {
	t.Parallel()
	smp := draw(t, newSim(t, tinyConfig()), 1, 0)
	if err := WriteCSV(failWriter{}, smp); !errors.Is(err, errWrite) {
		t.Errorf("WriteCSV error %v, want it to wrap %v", err, errWrite)
	}
	if err := WriteTruthJSON(failWriter{}, smp); !errors.Is(err, errWrite) {
		t.Errorf("WriteTruthJSON error %v, want it to wrap %v", err, errWrite)
	}
}

// TestFrameRoundTrip checks that what WriteCSV writes, read back by
// package frame with the dataset's Formula, is the same design: the terms,
// the random columns, the correlation flag, the names, X and y bit for bit
// (the interaction recomputed from its factors) and the group of each row.
// It runs 200 default datasets with correlations and interactions forced
// and 200 of the training mix, less those that frame refuses: without
// random effects, or with fewer rows than P + Q + 1.
func TestFrameRoundTrip(t *testing.T) {
	t.Parallel()
	forced := DefaultConfig()
	forced.Fixed = IntRange{4, 6}
	forced.Interaction, forced.InteractionRandom = 1, 0.5
	forced.CorrelatedQ2, forced.CorrelatedQ3 = 1, 1
	mix, err := TrainingMix(realFS)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []Config{forced, mix} {
		for smp, err := range newSim(t, c).All(13, 200) {
			if err != nil {
				t.Fatal(err)
			}
			want := smp.Design
			if want.Q() == 0 || want.N() < want.P()+want.Q()+1 {
				continue // frame wants a random term and N ≥ P + Q + 1
			}
			var b bytes.Buffer
			if err := WriteCSV(&b, smp); err != nil {
				t.Fatal(err)
			}
			fr, err := frame.ReadCSV(&b)
			if err != nil {
				t.Fatalf("dataset %d: reading its CSV: %v", smp.Index, err)
			}
			f, err := frame.ParseFormula(want.Formula)
			if err != nil {
				t.Fatalf("dataset %d: %v", smp.Index, err)
			}
			got, err := frame.Build(fr, f)
			if err != nil {
				t.Fatalf("dataset %d (%s): %v", smp.Index, want.Formula, err)
			}
			if !slices.Equal(got.Fixed, want.Fixed) || !slices.Equal(got.Random, want.Random) ||
				!slices.Equal(got.RandomCol, want.RandomCol) || got.Correlated != want.Correlated ||
				!slices.Equal(got.Names(), want.Names()) {
				t.Fatalf("dataset %d (%s): frame gives %v, %v %v, correlated %v; want %v, %v %v, %v",
					smp.Index, want.Formula, got.Fixed, got.Random, got.RandomCol, got.Correlated, want.Fixed, want.Random, want.RandomCol, want.Correlated)
			}
			if !slices.Equal(got.X, want.X) || !slices.Equal(got.Y, want.Y) {
				t.Fatalf("dataset %d (%s): X or y differ after the round trip", smp.Index, want.Formula)
			}
			for i := range want.N() {
				if got.Levels[got.G[i]] != want.Levels[want.G[i]] {
					t.Fatalf("dataset %d row %d: group %q, want %q", smp.Index, i, got.Levels[got.G[i]], want.Levels[want.G[i]])
				}
			}
		}
	}
}
