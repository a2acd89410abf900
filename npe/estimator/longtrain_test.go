//go:build longtrain

package estimator

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
)

// TestLongTrain is a sanity run, not a unit test: it trains DefaultConfig
// for LONGTRAIN_STEPS steps (default 300) of 64 datasets and reports the
// validation NLL curve, then importance-samples 30 fresh simulated datasets
// (1000 draws each) and reports the share with k̂ above the PSIS threshold
// and the median ESS.
// Run with: go test -tags longtrain -run LongTrain -v -timeout 2h ./npe/estimator/
func TestLongTrain(t *testing.T) {
	steps := 300
	if s := os.Getenv("LONGTRAIN_STEPS"); s != "" {
		steps, _ = strconv.Atoi(s)
	}
	r := TrainDefault()
	r.Train.Steps, r.Train.ValidateEvery, r.Train.ValidationSize = steps, max(10, steps/10), 256
	r.Train.Log = testWriter{t}
	m, res, err := r.Fit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d steps, %d datasets in %.0fs (%.1f datasets/s, %.2f steps/s), best val NLL %.3f at %d",
		res.Steps, res.DatasetsSeen, res.Seconds, float64(res.DatasetsSeen)/res.Seconds, float64(res.Steps)/res.Seconds, res.BestValLoss, res.BestStep)
	s := newDefaultSimulator(t)
	var khat, ess []float64
	bad := 0
	for i := 0; i < 30; i++ {
		smp, err := s.Sample(999, i)
		if err != nil {
			t.Fatal(err)
		}
		post, err := m.Sample(smp.Design, smp.Prior, 1000, newRand(uint64(i)))
		if err != nil {
			t.Logf("dataset %d: %v", i, err)
			continue
		}
		is, err := ImportanceSample(smp.Design, smp.Prior, post, post.N, newRand(uint64(i)))
		if err != nil {
			t.Logf("dataset %d: %v", i, err)
			continue
		}
		khat = append(khat, is.KHat)
		if is.KHat > is.Threshold {
			bad++
		}
		ess = append(ess, is.ESS)
	}
	slices.Sort(ess)
	t.Logf("k̂ above the PSIS threshold (0.67 for 1000 draws) on %d of %d datasets; median ESS %.0f of 1000; k̂ %v", bad, len(khat), ess[len(ess)/2], khat)
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
