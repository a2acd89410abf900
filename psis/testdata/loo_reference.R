# Reference for psis tests (TestMatchesLoo).
# Draws fixed log-ratio vectors, smooths them with loo::psis (r_eff = 1) and
# writes the inputs with loo's smoothed log weights (unnormalized, as
# weights(x, log = TRUE, normalize = FALSE) returns them), and per case
# loo's Pareto k and n_eff (psis_n_eff_values, 1/sum(w^2) of the normalized
# weights at r_eff = 1).
# Run from psis/: Rscript testdata/loo_reference.R
# Writes testdata/loo_logratios.csv and testdata/loo_summary.txt.
suppressPackageStartupMessages(library(loo))
set.seed(20261126)
cases <- list()
# Target N(0,1), proposal t_3 (proposal heavier-tailed: light weight tail).
x <- rt(1000, df = 3)
cases$normal_t3 <- dnorm(x, log = TRUE) - dt(x, df = 3, log = TRUE)
# Target t_3, proposal N(0,1) (target heavier-tailed: heavy weight tail).
x <- rnorm(1000)
cases$t3_normal <- dt(x, df = 3, log = TRUE) - dnorm(x, log = TRUE)
# Target N(0,1), proposal N(0, 0.7^2) (moderate tail).
x <- rnorm(4000, sd = 0.7)
cases$normal_narrow <- dnorm(x, log = TRUE) - dnorm(x, sd = 0.7, log = TRUE)
# Log of a Pareto (GPD, xi = 0.7) sample: very heavy tail.
u <- runif(200)
cases$pareto07 <- log((u^(-0.7) - 1) / 0.7)
# Too short a tail (ceiling(0.2 * 20) = 4 < 5): loo leaves it unsmoothed.
cases$short <- rnorm(20)
out <- NULL
summ <- character(0)
fmt <- function(x) trimws(formatC(x, digits = 17, format = "g"))
for (name in names(cases)) {
  lr <- cases[[name]]
  p <- suppressWarnings(psis(lr, r_eff = 1))
  lw <- as.vector(weights(p, log = TRUE, normalize = FALSE))
  out <- rbind(out, data.frame(case = name, logratio = fmt(lr), logweight = fmt(lw)))
  summ <- c(summ, paste(name, "k", fmt(pareto_k_values(p))),
            paste(name, "n_eff", fmt(psis_n_eff_values(p))))
}
write.csv(out, "testdata/loo_logratios.csv", row.names = FALSE, quote = FALSE)
writeLines(c(paste("# loo", as.character(packageVersion("loo")), R.version.string), summ),
           "testdata/loo_summary.txt")
