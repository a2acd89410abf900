package hmc

// Stan's windowed-adaptation defaults (windowed_adaptation.hpp).
const (
	DefaultInitBuffer = 75 // fast step-size-only phase at the start of warmup
	DefaultTermBuffer = 50 // fast phase at the end of warmup
	DefaultBaseWindow = 25 // first slow (metric) window
)

// Window is a closed range [Start, End] of warmup iterations (0-based)
// whose draws feed one metric estimate; the metric is updated after
// iteration End.
type Window struct{ Start, End int }

// WindowSchedule returns the metric-adaptation windows of Stan's
// windowed_adaptation for warmup iterations, with the default buffers
// 75/25/50. When 75+25+50 exceeds warmup the buffers become 15% / 75% / 10%
// of warmup (truncated); under 20 warmup iterations there is no metric
// adaptation (nil). After each window the size doubles; a window is
// stretched to the start of the terminal buffer when the next one would not
// fit twice. For warmup = 1000 this gives [75,99], [100,149], [150,249],
// [250,449], [450,949].
func WindowSchedule(warmup int) []Window {
	return windowSchedule(warmup, DefaultInitBuffer, DefaultTermBuffer, DefaultBaseWindow)
}

func windowSchedule(warmup, initBuffer, termBuffer, baseWindow int) []Window {
	if warmup < 20 {
		return nil
	}
	if initBuffer+baseWindow+termBuffer > warmup {
		initBuffer = int(0.15 * float64(warmup))
		termBuffer = int(0.1 * float64(warmup))
		baseWindow = warmup - (initBuffer + termBuffer)
	}
	// Simulate Stan's counters: compute_next_window after each window end.
	last := warmup - termBuffer - 1
	size := baseWindow
	next := initBuffer + size - 1
	start := initBuffer
	var ws []Window
	for counter := 0; counter < warmup; counter++ {
		if counter != next {
			continue
		}
		ws = append(ws, Window{Start: start, End: counter})
		start = counter + 1
		if next == last {
			break
		}
		size *= 2
		next = counter + size
		if next != last && next+2*size >= warmup-termBuffer {
			next = last
		}
	}
	return ws
}
