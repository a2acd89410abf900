package hmc

import (
	"reflect"
	"testing"
)

// Expected schedules are those of Stan's windowed_adaptation.hpp, simulated
// by hand: for W = 1000 the buffers are 75 and 50, so the windows end by
// iteration 949; the first is [75, 99] (25), then each doubles, [100, 149],
// [150, 249], [250, 449], and [450, 849] is stretched to 949 because the
// next (800) would not fit; for W = 200 the last window ends at 149, after
// [75, 99] and [100, 149]. W = 100 takes the 15%/75%/10% fallback (init
// buffer 15, window 75, term 10).
func TestWindowSchedule(t *testing.T) {
	for _, tc := range []struct {
		warmup int
		want   []Window
	}{
		{1000, []Window{{75, 99}, {100, 149}, {150, 249}, {250, 449}, {450, 949}}},
		{200, []Window{{75, 99}, {100, 149}}},
		{100, []Window{{15, 89}}},
		// 150 = 75 + 25 + 50 exactly: one base window, no fallback.
		{150, []Window{{75, 99}}},
		// Under 20 iterations Stan skips metric adaptation.
		{19, nil},
		// 20: buffers 3 / 15 / 2 (truncated 15% and 10%).
		{20, []Window{{3, 17}}},
	} {
		if got := WindowSchedule(tc.warmup); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("WindowSchedule(%d) = %v, want %v", tc.warmup, got, tc.want)
		}
	}
}

// Windows tile [init buffer, W − term buffer) without gaps for every W.
func TestWindowScheduleContiguous(t *testing.T) {
	for w := 20; w <= 3000; w++ {
		ws := WindowSchedule(w)
		if len(ws) == 0 {
			t.Fatalf("W=%d: no windows", w)
		}
		term := DefaultTermBuffer
		if DefaultInitBuffer+DefaultBaseWindow+DefaultTermBuffer > w {
			term = int(0.1 * float64(w))
		}
		if last := ws[len(ws)-1].End; last != w-term-1 {
			t.Errorf("W=%d: last window ends at %d, want %d", w, last, w-term-1)
		}
		for i := 1; i < len(ws); i++ {
			if ws[i].Start != ws[i-1].End+1 || ws[i].End < ws[i].Start {
				t.Errorf("W=%d: windows %v", w, ws)
				break
			}
		}
	}
}
