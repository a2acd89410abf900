# Prints the side-by-side table of make bench-stan from the JSON files that
# run.sh wrote: wall time, minimum bulk-ESS over the global parameters,
# ESS/s, and metabeta's ESS/s as a multiple of rstan's.
suppressPackageStartupMessages(library(jsonlite))
options(width = 200)
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]; names <- args[-1]
rows <- list()
for (n in names) {
  rs <- fromJSON(file.path(dir, paste0(n, ".rstan.json")))
  base <- rs$min_ess_bulk / rs$wall_seconds
  rows[[length(rows) + 1]] <- data.frame(dataset = n, method = "rstan", wall_s = rs$wall_seconds,
    min_ess_bulk = rs$min_ess_bulk, ess_per_s = base, ratio = 1, divergences = rs$divergences,
    max_abs_dmean_over_sd = NA)
  for (t in c("collapsed", "joint")) {
    mb <- fromJSON(file.path(dir, paste0(n, ".", t, ".json")))
    p <- mb$parameters
    ess <- min(p$ess_bulk)
    m <- match(p$name, rs$parameters$variable)
    if (anyNA(m)) stop(n, ": rstan has no ", paste(p$name[is.na(m)], collapse = ", "))
    dm <- max(abs(p$mean - rs$parameters$mean[m]) / rs$parameters$sd[m])
    rows[[length(rows) + 1]] <- data.frame(dataset = n, method = paste("metabeta", t),
      wall_s = mb$timing$wall_seconds, min_ess_bulk = ess, ess_per_s = ess / mb$timing$wall_seconds,
      ratio = (ess / mb$timing$wall_seconds) / base, divergences = mb$diagnostics$divergences,
      max_abs_dmean_over_sd = dm)
  }
}
tab <- do.call(rbind, rows)
cat("\nESS/s = minimum bulk-ESS over the global parameters (correlations included) / wall seconds",
    "(rstan: sampling with warmup, compile excluded; metabeta: the whole fit)\n")
cat("ratio = ESS/s over rstan's (target >= 100); max|dmean|/sd = largest difference of posterior means in rstan posterior SDs\n\n")
print(format(tab, digits = 4), row.names = FALSE)
