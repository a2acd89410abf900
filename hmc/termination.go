package hmc

// noUTurn is the generalized no-U-turn criterion of Betancourt (2017, §A.4.2)
// as Stan's compute_criterion: a trajectory segment with summed momentum ρ
// and end velocities p♯⁻, p♯⁺ keeps extending while both ends still move
// along ρ, that is p♯⁻·ρ > 0 and p♯⁺·ρ > 0.
func noUTurn(pSharpMinus, pSharpPlus, rho []float64) bool {
	var a, b float64
	for i, r := range rho {
		a += pSharpMinus[i] * r
		b += pSharpPlus[i] * r
	}
	return a > 0 && b > 0
}

// mergedNoUTurn applies the three checks Stan makes (since v2.21, PR #2800)
// when two adjacent trajectory pieces, "left" and "right" in build order,
// are merged:
//
//	(a) C(p♯_left_beg, p♯_right_end, ρ_left + ρ_right)
//	(b) C(p♯_left_beg, p♯_right_beg, ρ_left + p_right_beg)
//	(c) C(p♯_left_end, p♯_right_end, ρ_right + p_left_end)
//
// Checks (b) and (c) catch U-turns spanning the junction that the overall
// check (a) misses at resonant step sizes (stan-dev/stan#2799). scratch has
// length Dim.
func mergedNoUTurn(pSharpLeftBeg, pSharpLeftEnd, pLeftEnd, rhoLeft,
	pSharpRightBeg, pSharpRightEnd, pRightBeg, rhoRight, scratch []float64) bool {
	for i := range scratch {
		scratch[i] = rhoLeft[i] + rhoRight[i]
	}
	ok := noUTurn(pSharpLeftBeg, pSharpRightEnd, scratch)
	for i := range scratch {
		scratch[i] = rhoLeft[i] + pRightBeg[i]
	}
	ok = noUTurn(pSharpLeftBeg, pSharpRightBeg, scratch) && ok
	for i := range scratch {
		scratch[i] = rhoRight[i] + pLeftEnd[i]
	}
	return noUTurn(pSharpLeftEnd, pSharpRightEnd, scratch) && ok
}
