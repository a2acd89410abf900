# Reference values for paretoSmooth (psis_test.go), from loo's psis().
# Run: Rscript psis_reference.R > psis_reference.txt
# Log weights are deterministic: x_i = qnorm((i - 0.5)/S) with S = 1000,
# log w_i = log N(x_i | 0, 1.3²) − log N(x_i | 0, 1), a proposal narrower than
# the target, in a fixed scrambled order (i*389 mod S).
suppressMessages(library(loo))
S <- 1000
x <- qnorm((seq_len(S) - 0.5) / S)
ord <- ((seq_len(S) - 1) * 389) %% S + 1
lw <- dnorm(x[ord], 0, 1.3, log = TRUE) - dnorm(x[ord], 0, 1, log = TRUE)
ps <- suppressWarnings(psis(lw, r_eff = 1))
cat(sprintf("# loo %s, R %s\n", packageVersion("loo"), getRversion()))
cat(sprintf("khat %.17g\n", pareto_k_values(ps)))
lws <- weights(ps, log = TRUE, normalize = TRUE)
for (i in seq_len(S)) cat(sprintf("%.17g %.17g\n", lw[i], lws[i]))
