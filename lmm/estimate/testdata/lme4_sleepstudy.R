# Reference for lmm/estimate tests (TestMLMatchesLme4, TestProfileMatchesLme4).
# Fits Reaction ~ Days + (Days || Subject) to testdata/datasets/sleepstudy.csv
# by maximum likelihood (REML = FALSE) and by REML (lmer's default) and prints
# the estimates, the maximized log-likelihood and the REML criterion.
# Run from lmm/estimate/:
#   Rscript testdata/lme4_sleepstudy.R > testdata/lme4_sleepstudy.txt
suppressPackageStartupMessages(library(lme4))
d <- read.csv("../../testdata/datasets/sleepstudy.csv")
d$Subject <- factor(d$Subject)
ctl <- lmerControl(optimizer = "bobyqa",
                   optCtrl = list(rhobeg = 1e-3, rhoend = 1e-12, maxfun = 1e5))
fmt <- function(x) formatC(x, digits = 17, format = "g")
cat("# lme4", as.character(packageVersion("lme4")), R.version.string, "\n")
for (reml in c(FALSE, TRUE)) {
  fit <- lmer(Reaction ~ Days + (Days || Subject), data = d, REML = reml, control = ctl)
  vc <- as.data.frame(VarCorr(fit))
  tag <- if (reml) "reml" else "ml"
  cat(tag, "beta_Intercept", fmt(fixef(fit)[1]), "\n")
  cat(tag, "beta_Days", fmt(fixef(fit)[2]), "\n")
  cat(tag, "sd_Intercept", fmt(vc$sdcor[which(vc$var1 == "(Intercept)")]), "\n")
  cat(tag, "sd_Days", fmt(vc$sdcor[which(vc$var1 == "Days")]), "\n")
  cat(tag, "sigma", fmt(sigma(fit)), "\n")
  cat(tag, "se_Intercept", fmt(sqrt(diag(as.matrix(vcov(fit))))[1]), "\n")
  cat(tag, "se_Days", fmt(sqrt(diag(as.matrix(vcov(fit))))[2]), "\n")
  if (reml) {
    cat(tag, "logLik", fmt(-REMLcrit(fit) / 2), "\n")
  } else {
    cat(tag, "logLik", fmt(as.numeric(logLik(fit))), "\n")
  }
}
