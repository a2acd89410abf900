package estimator

import "math"

func log(x float64) float64 { return math.Log(x) }

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
