# Reference ESS / MCSE for hmc's test helper essMean (helpers_test.go).
# Input: testdata/ar1_chains.csv, 4 chains x 250 draws of a Gaussian AR(1)
# with phi = 0.6, generated in Go from rand.NewPCG(2026, 1).
# Run from hmc/: Rscript testdata/ess_ar1.R
suppressPackageStartupMessages(library(posterior))
d <- read.csv("testdata/ar1_chains.csv")
x <- matrix(d$x, ncol = 4)  # draws x chains (rows sorted by chain, draw)
cat("posterior", format(packageVersion("posterior")), "\n")
cat(sprintf("ess_mean %.10f\n", ess_mean(x)))
cat(sprintf("mcse_mean %.12f\n", mcse_mean(x)))
