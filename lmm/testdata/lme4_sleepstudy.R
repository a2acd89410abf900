# Reference for TestMarginalMatchesLme4 (lmm/marginal_test.go).
# Fits Reaction ~ Days + (Days || Subject) to testdata/datasets/sleepstudy.csv
# by maximum likelihood (REML = FALSE) with lme4 and prints the estimates and
# the maximized log-likelihood, which is the log marginal likelihood
# log p(y | beta, sigma_b, sigma) at the ML estimates.
# Run from lmm/: Rscript testdata/lme4_sleepstudy.R > testdata/lme4_sleepstudy.txt
suppressPackageStartupMessages(library(lme4))
d <- read.csv("../testdata/datasets/sleepstudy.csv")
d$Subject <- factor(d$Subject)
fit <- lmer(Reaction ~ Days + (Days || Subject), data = d, REML = FALSE,
            control = lmerControl(optimizer = "bobyqa",
                                  optCtrl = list(rhobeg = 1e-3, rhoend = 1e-12, maxfun = 1e5)))
vc <- as.data.frame(VarCorr(fit))
fmt <- function(x) formatC(x, digits = 17, format = "g")
cat("# lme4", as.character(packageVersion("lme4")), R.version.string, "\n")
cat("beta_Intercept", fmt(fixef(fit)[1]), "\n")
cat("beta_Days", fmt(fixef(fit)[2]), "\n")
cat("sd_Intercept", fmt(vc$sdcor[which(vc$var1 == "(Intercept)")]), "\n")
cat("sd_Days", fmt(vc$sdcor[which(vc$var1 == "Days")]), "\n")
cat("sigma", fmt(sigma(fit)), "\n")
cat("logLik", fmt(as.numeric(logLik(fit))), "\n")
