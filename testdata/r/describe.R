# describe.R: reference model-frame summaries from lme4 for package lmm/frame.
#
# For each dataset/formula pair below, lme4::lFormula builds the model frame
# (na.omit, unused factor levels dropped), the fixed-effect matrix X and the
# random-effect terms. This script writes, per case: n_obs (rows of X),
# n_dropped (rows removed for missing values), n_groups, the first group
# levels, the group sizes (min, median, max), the colnames of X, the
# random-effect term names (reTrms$cnms), and the first rows of X.
#
# Run from the repository root:
#   Rscript testdata/r/describe.R
# It writes testdata/r/describe.json, which lmm/frame's TestBuildMatchesLme4
# compares against exactly.
suppressPackageStartupMessages({
  library(lme4)
  library(jsonlite)
})

cases <- list(
  list(name = "sleepstudy_slope", data = "sleepstudy",
       formula = "Reaction ~ Days + (1 + Days || Subject)"),
  list(name = "sleepstudy_intercept", data = "sleepstudy",
       formula = "Reaction ~ Days + (1 | Subject)"),
  list(name = "mathachieve_intercept", data = "mathachieve",
       formula = "MathAch ~ SES + Sex + Minority + MEANSES + (1 | School)"),
  list(name = "mathachieve_slope", data = "mathachieve",
       formula = "MathAch ~ SES + Sex + (1 + SES || School)"),
  list(name = "exam_slope", data = "exam",
       formula = "normexam ~ standLRT + sex + schgend + (1 + standLRT || school)"),
  list(name = "exam_vr", data = "exam",
       formula = "normexam ~ standLRT + vr + sex + (1 + standLRT || school)"),
  list(name = "exam_vr_nointercept", data = "exam",
       formula = "normexam ~ 0 + vr + standLRT + (0 + standLRT | school)"),
  list(name = "gcsemv_na", data = "gcsemv",
       formula = "written ~ course + gender + (1 | school)")
)

nhead <- 6 # rows of X written for the numeric comparison

out <- list()
for (cs in cases) {
  path <- file.path("testdata", "datasets", paste0(cs$data, ".csv"))
  df <- read.csv(path)
  lf <- lFormula(as.formula(cs$formula), data = df)
  X <- lf$X
  fl <- lf$reTrms$flist[[1]]
  out[[cs$name]] <- list(
    dataset = cs$data,
    formula = cs$formula,
    n_obs = nrow(X),
    n_dropped = nrow(df) - nrow(X),
    n_groups = nlevels(fl),
    levels_head = I(head(levels(fl), 5)),
    group_sizes = c(min = min(table(fl)), median = median(table(fl)), max = max(table(fl))),
    fixed = I(colnames(X)),
    random = I(unname(unlist(lf$reTrms$cnms))),
    x_head = unname(lapply(seq_len(min(nhead, nrow(X))), function(i) unname(X[i, ])))
  )
}

header <- sprintf("%s; lme4 %s; Matrix %s; jsonlite %s; generated %s",
                  R.version.string, packageVersion("lme4"),
                  packageVersion("Matrix"), packageVersion("jsonlite"),
                  format(Sys.time(), "%Y-%m-%d", tz = "UTC"))
json <- toJSON(list(generated_by = "testdata/r/describe.R", versions = header,
                    cases = out),
               auto_unbox = TRUE, pretty = TRUE, digits = NA)
writeLines(json, file.path("testdata", "r", "describe.json"))
