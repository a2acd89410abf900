// Package frame reads mixed-model data from CSV files and lme4-style
// formulas and builds the numeric design (*lmm.Design) of the linear mixed
// model
//
//	y = Xβ + Zb_g + ε,   b_g ~ N(0, Σ_b),   ε ~ N(0, σ²),
//
// with one grouping factor g and random effects whose columns Z are a
// subset of the fixed-effect columns X (Bates et al. 2015, "Fitting linear
// mixed-effects models using lme4", J. Stat. Softw. 67(1), §2). The random
// effects are correlated, Σ_b = diag(σ_b) Ω diag(σ_b) with Ω ~ LKJ(η), when
// written as lme4's (1 + x | g), and independent, Σ_b = diag(σ_b²), when
// written as (1 + x || g) (Design.Correlated).
//
// # CSV input
//
// ReadCSV reads RFC 4180 comma-separated values with a header row. Tab- and
// semicolon-separated files are recognised from the header (the most
// frequent of the three separators outside quotes) and read as R's
// read.delim and read.csv2 read them, with a decimal comma in the latter; a
// UTF-8 byte-order mark is skipped. Surrounding
// spaces are trimmed; an empty field or NA is a missing value. A column is
// Numeric when every non-missing value parses as a finite number
// (strconv.ParseFloat), Text when none parses as a number, and Mixed
// otherwise ("NaN" and "Inf" parse as non-finite numbers). Quoting does not
// make a number text, as in R's read.csv. A Mixed column is an error only
// where a number is needed: as the response or a numeric predictor; the
// message names the column, the value and its row and line. A Mixed column
// that is mostly text and holds no non-finite number is a factor, as R would
// read it. Empty input, a header without rows, empty or duplicate column
// names, ragged rows and malformed quotes are errors naming the line or
// column. Messages quote values through lmm.QuoteShort, which cuts a long
// one to 40 characters and its length in bytes.
//
// Build also refuses a numeric column it cannot square and sum in float64:
// over n rows, a value above √(MaxFloat64/n) (1e300, say) or a spread whose
// squared SD underflows (below 2⁻⁵¹¹ ≈ 1.5e-154); the message names the
// column and the size and says to rescale it.
//
// # Formula subset
//
// The grammar, in EBNF (whitespace between tokens is ignored):
//
//	formula     = name "~" fixed .
//	fixed       = [ sign ] fterm { sign fterm } .
//	fterm       = "0" | "1" | product | "(" random ")" .
//	random      = [ sign ] rterm { sign rterm } ( "|" | "||" ) name .
//	rterm       = "0" | "1" | product .
//	product     = interaction { "*" interaction } .
//	interaction = name { ":" name } .
//	sign        = "+" | "-" .
//	name        = letter { letter | digit | "." | "_" }
//	            | "." nondigit { letter | digit | "." | "_" }
//	            | "`" { any character but "`" } "`" .
//
// As in lme4 an intercept is implied both in the fixed part and inside each
// random term; "0 +" or "- 1" removes it, "1" or "- 0" restores it. A minus
// sign applies only to the intercept.
//
// Interactions follow R's formula language (Chambers & Hastie 1992,
// "Statistical Models in S", ch. 2; R's ?formula): a:b is the interaction of
// columns a and b, a*b is a + b + a:b, and a*b*c is a + b + c + a:b + a:c +
// b:c + a:b:c; ":" binds tighter than "*". A term listed twice, as b:a after
// a:b, counts once. An interaction joins at most three columns. The columns
// of a term are named in R's variable order, the order of their first use
// in the fixed part: y ~ x*z + z:x has the terms x, z and x:z.
//
// "(1 + x | g)", and "(x | g)" with its implied intercept, mean correlated
// random effects; "(1 + x || g)" means independent ones. A term with one
// effect, "(1 | g)" or "(0 + x | g)", has no correlation either way, unless
// its one term spans several columns (a factor or an interaction with one),
// whose columns "|" correlates. Several random terms may share their
// grouping factor and combine into independent effects, as in lme4:
// (1 | g) + (0 + x | g) is (1 + x || g). A "|" term with several effects
// cannot be combined with another term for its group (its effects would be
// correlated among themselves only, which Design cannot express): write all
// the effects in one term. Beyond the grammar, a formula must have exactly
// one grouping factor, must not use the response as a predictor, and every
// random term must also be a fixed term (a random intercept needs the fixed
// intercept); a random interaction must be a fixed interaction of the same
// columns, in any order.
//
// Not supported, each with an error naming the construct and its position:
// nesting ("/" and "%in%", also in the grouping factor, as g/h or g:h),
// crossed grouping factors ((1 | g) + (1 | h), or g*h), powers ("^"),
// interactions of more than three columns, interactions with the intercept
// or with a parenthesised term ((a + b):c), function calls such as log(x),
// I(x^2) or poly(x, 2), and "." for all other columns.
//
// # Building the design
//
// Build follows lme4::lFormula: rows missing the response, a predictor or the
// grouping factor are dropped (na.omit) and counted in Design.NDropped; factor
// levels absent from the kept rows are dropped. Text predictors are factors
// coded with treatment contrasts: the reference level is the first in sorted
// order and each other level gets a 0/1 column named column+level, as
// R's model.matrix names it ("SexMale", "vrmid 50%").
//
// The columns of X are those of R's model.matrix (Chambers & Hastie 1992,
// ch. 2; R's src/library/stats/src/model.c): the intercept, then the terms
// ordered by degree (main effects, then two-column interactions, then
// three-column ones), each degree in formula order. An interaction's columns
// are the products of its columns' columns, the first varying fastest, named
// by joining their names with ":": "age:SexMale" for age:Sex, "fB:hY" and
// "fC:hY" for f:h. A factor in a term is coded by contrasts when the term
// without it is empty or is part of an earlier term, and by a column for
// every level otherwise: y ~ x + x:f has the columns x:fB and x:fC, but
// y ~ f + x:f has x:fA, x:fB and x:fC. Without an intercept the first factor
// of the first term that has one gets a column for every level, as in R
// (y ~ 0 + f gives fA, fB, fC). An interaction column that is 0 in every kept
// row (a combination of levels that no row has) or otherwise constant is an
// error, as is one whose products are too large for float64.
//
// A random slope uses the same columns as its fixed term. lme4 builds the
// columns of a random term from that term alone, so that (0 + f || g) and
// (0 + x:f || g) would get a column for every level of f there; this
// package uses the fixed term's columns instead. The random intercept comes
// first, then the slopes ordered by degree.
//
// Grouping factor levels follow R's factor order: numeric order when every
// label is a number (as read.csv reads it), otherwise byte order of the
// labels, which is R's order in the C locale (other locales may collate
// mixed case differently).
//
// Term names follow brms: the intercept is "Intercept" (R's "(Intercept)"),
// other columns keep R's model-matrix names, and Design.Names gives the
// parameter names b_<term>, sd_<group>__<term>, sigma and, for correlated
// effects, cor_<group>__<term1>__<term2>.
package frame
