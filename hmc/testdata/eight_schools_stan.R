# Stan's NUTS adaptation and sampler diagnostics on eight schools
# (non-centred), for TestEightSchoolsAdaptationMatchesStan in
# eightschools_test.go.
# Data: posteriordb's eight_schools.json, inlined below (as in
# eightschools_test.go). Settings: rstan 2.21.7 defaults (delta 0.8, max depth 10,
# diag_e), 16 chains x (1000 warmup + 1000 draws), seed 20261126.
# Run from hmc/: Rscript testdata/eight_schools_stan.R
# (Debian's r-cran-bh ships no headers; with R_LIBS pointing at a copy of BH
# whose include/boost links to /usr/include/boost, rstan compiles.)
suppressPackageStartupMessages(library(rstan))
data <- list(J = 8, y = c(28, 8, -3, 7, -1, 1, 18, 12),
             sigma = c(15, 10, 16, 11, 9, 11, 10, 18))
fit <- stan("testdata/eight_schools_noncentered.stan", data = data, chains = 16,
            iter = 2000, warmup = 1000, seed = 20261126, refresh = 0, cores = 1)
sp <- get_sampler_params(fit, inc_warmup = FALSE)
cat("rstan", format(packageVersion("rstan")), "\n")
eps <- sapply(sp, function(s) s[1, "stepsize__"])
nlf <- sapply(sp, function(s) mean(s[, "n_leapfrog__"]))
acc <- sapply(sp, function(s) mean(s[, "accept_stat__"]))
cat(sprintf("stepsize per chain: %s\n", paste(sprintf("%.4f", eps), collapse = " ")))
cat(sprintf("mean n_leapfrog per chain: %s\n", paste(sprintf("%.3f", nlf), collapse = " ")))
cat(sprintf("mean accept_stat per chain: %s\n", paste(sprintf("%.4f", acc), collapse = " ")))
cat(sprintf("stepsize: mean %.4f sd %.4f\n", mean(eps), sd(eps)))
cat(sprintf("mean n_leapfrog: mean %.4f sd %.4f\n", mean(nlf), sd(nlf)))
cat(sprintf("mean accept_stat: mean %.4f sd %.4f\n", mean(acc), sd(acc)))
cat(sprintf("divergences: %d\n", sum(sapply(sp, function(s) sum(s[, "divergent__"])))))
