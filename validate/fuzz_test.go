package validate

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// FuzzReadRecords reads arbitrary bytes as a records.jsonl file. Whatever
// it accepts must hold only values the calibration code can take (ranks in
// 0..L, PITs in [0, 1], finite numbers where the metrics need them), and
// aggregating it must not panic. The seed corpus is a well-formed
// simulated and real record, each broken in the ways issue 12 found, and
// testdata/fuzz/FuzzReadRecords holds any crasher found since.
func FuzzReadRecords(f *testing.F) {
	for _, s := range []string{
		goodLine + "\n",
		realLine + "\n",
		goodLine + "\n" + realLine + "\n",
		goodLine + "\n" + goodLine[:50],
		"{\"suite\": \n" + goodLine + "\n",
		bytesReplace(goodLine, `"rank":3`, `"rank":12`) + "\n",
		bytesReplace(goodLine, `"pit":0.3`, `"pit":1.5`) + "\n",
		bytesReplace(goodLine, `"l":9`, `"l":0`) + "\n",
		bytesReplace(goodLine, `"ppp_within":0.6`, `"ppp_within":null`) + "\n",
		`{"suite":"simulated","dataset":1,"method":"npe","error":"fit failed"}` + "\n",
		// A correlation, well-formed and with a kind that is not its own.
		bytesReplace(goodLine, `{"name":"sigma","kind":"sigma"`, `{"name":"cor_g__Intercept__x","kind":"cor"`) + "\n",
		bytesReplace(goodLine, `{"name":"sigma","kind":"sigma"`, `{"name":"cor_g__Intercept__x","kind":"sigma"`) + "\n",
		"",
		"\n\n",
	} {
		f.Add([]byte(s))
	}
	cfg := smallConfig()
	cfg.Real = nil
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := readRecords(bytes.NewReader(data), "fuzz.jsonl")
		if err != nil {
			return
		}
		l := 0
		for _, r := range recs {
			for _, p := range r.Params {
				if p.Rank < 0 || p.Rank > p.L || !(p.PIT >= 0 && p.PIT <= 1) || math.IsNaN(p.Mean) || !(p.SD >= 0) {
					t.Fatalf("accepted an impossible parameter record %+v", p)
				}
				if p.L > 0 && l > 0 && p.L != l {
					t.Fatalf("accepted records with L %d and %d", l, p.L)
				}
				if p.L > 0 {
					l = p.L
				}
			}
		}
		// The exact γ null costs about (L+1)·N² (see GammaNullQuantile):
		// large L and N only make the fuzzer slow.
		if l <= 200 && len(recs) <= 50 {
			Aggregate(cfg, recs)
		}
	})
}

func bytesReplace(s, old, new string) string { return strings.Replace(s, old, new, 1) }
