# Fits one dataset with rstan for `make bench-stan` and writes a JSON summary.
# Usage: Rscript fit_rstan.R <csv> <formula> <prior.json> <Q> <seed> <out.json>
# The prior JSON is metabeta's resolved prior spec (metabeta describe --json),
# so both samplers see the same prior. Random effects are the first Q columns
# of the fixed-effect model matrix, as in metabeta. A formula whose random
# bar is `|` (not `||`) with Q >= 2 has correlated random effects: it is fitted
# with lmm_cor.stan under LKJ(eta), eta from the spec's "cor" (default 1), and
# the correlations are reported as cor_<g>__<t_j>__<t_i> (metabeta's names, in
# its order: i = 2..Q, j < i), computed from the draws of the Cholesky factor L.
suppressPackageStartupMessages({
  library(rstan); library(posterior); library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 6)
csv <- args[1]; formula <- as.formula(args[2]); spec <- fromJSON(args[3], simplifyVector = FALSE)
Q <- as.integer(args[4]); seed <- as.integer(args[5]); out <- args[6]
if (dir.exists("/usr/include/boost")) rstan_options(boost_lib = "/usr/include")
rstan_options(auto_write = TRUE)
options(mc.cores = 2)

df <- read.csv(csv)
bars <- lme4::findbars(formula)  # `||` expands into one bar per term
group <- unique(vapply(bars, function(b) deparse(b[[3]]), ""))
stopifnot(length(group) == 1)
mf <- model.frame(lme4::subbars(formula), df, na.action = na.omit)
X <- model.matrix(lme4::nobars(formula), mf)
colnames(X)[colnames(X) == "(Intercept)"] <- "Intercept"
y <- model.response(mf)
gf <- factor(mf[[group]])
terms <- colnames(X)
prior <- spec$prior
nu <- sapply(terms, function(t) prior$b[[t]]$mean)
tau_beta <- sapply(terms, function(t) prior$b[[t]]$sd)
rterms <- names(prior$sd)
stopifnot(identical(rterms, head(terms, Q)))
tau_b <- if (Q > 0) sapply(rterms, function(t) prior$sd[[t]]) else numeric(0)
correlated <- Q >= 2 && !grepl("||", args[2], fixed = TRUE)
data <- list(N = nrow(X), P = ncol(X), Q = Q, J = nlevels(gf), g = as.integer(gf), X = X, y = y,
             nu = as.array(nu), tau_beta = as.array(tau_beta), tau_b = as.array(tau_b),
             tau_eps = prior$sigma)
if (correlated) data$eta <- if (is.null(prior$cor)) 1 else prior$cor
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
model <- stan_model(file.path(here, if (correlated) "lmm_cor.stan" else "lmm.stan"))
t0 <- Sys.time()
fit <- sampling(model, data = data, chains = 4, iter = 2000, warmup = 1000, seed = seed,
                cores = 2, refresh = 0)
wall <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
dr <- as_draws_df(fit)
keep <- c(paste0("beta[", seq_len(ncol(X)), "]"), if (Q > 0) paste0("sigma_b[", seq_len(Q), "]"), "sigma_eps")
names <- c(paste0("b_", terms), if (Q > 0) paste0("sd_", group, "__", rterms), "sigma")
if (correlated) {
  for (i in 2:Q) for (j in 1:(i - 1)) {  # Omega[i, j] = sum_k L[i, k] L[j, k]
    v <- sprintf("Omega[%d,%d]", i, j)
    dr[[v]] <- Reduce(`+`, lapply(1:j, function(k) dr[[sprintf("L[%d,%d]", i, k)]] * dr[[sprintf("L[%d,%d]", j, k)]]))
    keep <- c(keep, v)
    names <- c(names, paste0("cor_", group, "__", rterms[j], "__", rterms[i]))
  }
}
s <- summarise_draws(subset_draws(dr, variable = keep), "mean", "sd", "rhat", "ess_bulk", "ess_tail")
stopifnot(identical(s$variable, keep))
s$variable <- names
sp <- get_sampler_params(fit, inc_warmup = FALSE)
divergences <- sum(sapply(sp, function(x) sum(x[, "divergent__"])))
res <- list(method = "rstan", model = if (correlated) "lmm_cor.stan" else "lmm.stan", rstan_version = as.character(packageVersion("rstan")),
            wall_seconds = wall, min_ess_bulk = min(s$ess_bulk), divergences = divergences,
            parameters = s)
write_json(res, out, auto_unbox = TRUE, digits = NA, pretty = TRUE)
