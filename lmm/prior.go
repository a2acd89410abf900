package lmm

// Prior holds the resolved prior of the model, indexed like the design's
// terms:
//
//	β_k ~ N(BetaMean[k], BetaSD[k]²)  (k = 0 is the centred intercept when the model has one)
//	σ_b,k ~ HalfNormal(SDScale[k])
//	σ_ε ~ HalfNormal(SigmaScale)
//	Ω ~ LKJ(LKJ)                     (correlated random effects only)
//
// The intercept's prior applies to the intercept of the model whose
// non-intercept predictors are centred at their sample means (the brms and
// rstanarm convention; see Centred).
type Prior struct {
	BetaMean   []float64 // length P
	BetaSD     []float64 // length P
	SDScale    []float64 // length Q
	SigmaScale float64
	LKJ        float64 // shape η > 0 of the LKJ prior on the correlations; used only when NCor > 0
}
