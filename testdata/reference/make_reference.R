# Makes the reference prior and the rstan reference posterior of one dataset,
# with the recipe of testdata/realdata (see testdata/realdata/README.md):
#   centred intercept ~ N(mean(y), 3 sd(y)); b_x ~ N(0, 3 sd(y)/sd(x));
#   sd of the intercept ~ HalfNormal(1.5 sd(y)); sd of term x ~ HalfNormal(1.5 sd(y)/sd(x));
#   sigma ~ HalfNormal(1.5 sd(y));
# rstan, the Stan model bench/stan/lmm.stan (uncorrelated random effects on the
# first Q columns of X), 4 chains x (1000 warmup + 2000 draws), seed 11,
# adapt_delta 0.95, summarised with the posterior package.
#
# Usage, from the repository root:
#   Rscript testdata/reference/make_reference.R NAME CSV FORMULA OUTDIR
# writes OUTDIR/NAME.prior.json and OUTDIR/NAME.summary.csv (PRIOR_ONLY=1: the prior alone).
suppressPackageStartupMessages({
  library(rstan); library(posterior); library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 4)
name <- args[1]; csv <- args[2]; formula <- as.formula(args[3]); outdir <- args[4]
if (dir.exists("/usr/include/boost")) rstan_options(boost_lib = "/usr/include")
rstan_options(auto_write = TRUE)

df <- read.csv(csv)
bars <- lme4::findbars(formula)
group <- unique(vapply(bars, function(b) deparse(b[[3]]), ""))
stopifnot(length(group) == 1)
mf <- model.frame(lme4::subbars(formula), df, na.action = na.omit)
X <- model.matrix(lme4::nobars(formula), mf)
colnames(X)[colnames(X) == "(Intercept)"] <- "Intercept"
y <- model.response(mf)
gf <- factor(mf[[group]])
terms <- colnames(X)
rterms <- unique(unlist(lapply(bars, function(b) {
  t <- colnames(model.matrix(as.formula(paste("~", deparse(b[[2]]))), mf))
  t[t == "(Intercept)"] <- "Intercept"
  t
})))
Q <- length(rterms)
stopifnot(identical(rterms, head(terms, Q)))

# The recipe, with R's sd (n - 1 denominator).
sy <- sd(y)
sx <- c(Intercept = 1, apply(X[, -1, drop = FALSE], 2, sd))
nu <- setNames(c(mean(y), rep(0, ncol(X) - 1)), terms)
tau_beta <- setNames(3 * sy / sx, terms)
tau_b <- setNames(1.5 * sy / sx[rterms], rterms)
tau_eps <- 1.5 * sy
spec <- list(b = setNames(lapply(terms, function(t) list(mean = unname(nu[t]), sd = unname(tau_beta[t]))), terms),
             sd = as.list(tau_b), sigma = tau_eps)
write_json(spec, file.path(outdir, paste0(name, ".prior.json")), auto_unbox = TRUE, digits = NA, pretty = TRUE)
if (Sys.getenv("PRIOR_ONLY") != "") quit(save = "no")

data <- list(N = nrow(X), P = ncol(X), Q = Q, J = nlevels(gf), g = as.integer(gf), X = X, y = y,
             nu = as.array(nu), tau_beta = as.array(tau_beta), tau_b = as.array(tau_b), tau_eps = tau_eps)
model <- stan_model("bench/stan/lmm.stan")
t0 <- Sys.time()
fit <- sampling(model, data = data, chains = 4, iter = 3000, warmup = 1000, seed = 11,
                cores = 2, refresh = 0, control = list(adapt_delta = 0.95))
wall <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
dr <- as_draws_df(fit)
keep <- c(paste0("beta[", seq_len(ncol(X)), "]"), if (Q > 0) paste0("sigma_b[", seq_len(Q), "]"), "sigma_eps")
s <- summarise_draws(subset_draws(dr, variable = keep), "mean", "sd",
                     ~quantile(.x, probs = c(0.05, 0.5, 0.95)), "rhat", "ess_bulk", "ess_tail")
s$variable <- c(paste0("b_", terms), if (Q > 0) paste0("sd_", group, "__", rterms), "sigma")
sp <- get_sampler_params(fit, inc_warmup = FALSE)
s$divergences <- sum(sapply(sp, function(x) sum(x[, "divergent__"])))
s$wall_s <- wall
s <- as.data.frame(lapply(s, function(v) if (is.numeric(v)) as.numeric(v) else as.character(v)), check.names = FALSE)
write.csv(s, file.path(outdir, paste0(name, ".summary.csv")), row.names = FALSE)
