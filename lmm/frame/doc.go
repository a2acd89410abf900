// Package frame reads mixed-model data from CSV files and lme4-style
// formulas and builds the numeric design (*lmm.Design) of the linear mixed
// model
//
//	y = Xβ + Zb_g + ε,   b_g ~ N(0, diag(σ_b²)),   ε ~ N(0, σ²),
//
// with one grouping factor g and uncorrelated random effects whose columns Z
// are a subset of the fixed-effect columns X (Bates et al. 2015, "Fitting
// linear mixed-effects models using lme4", J. Stat. Softw. 67(1), §2).
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
//	formula   = name "~" fixed .
//	fixed     = [ sign ] fterm { sign fterm } .
//	fterm     = "0" | "1" | name | "(" random ")" .
//	random    = [ sign ] rterm { sign rterm } ( "|" | "||" ) name .
//	rterm     = "0" | "1" | name .
//	sign      = "+" | "-" .
//	name      = letter { letter | digit | "." | "_" }
//	          | "." nondigit { letter | digit | "." | "_" }
//	          | "`" { any character but "`" } "`" .
//
// As in lme4 an intercept is implied both in the fixed part and inside each
// random term; "0 +" or "- 1" removes it, "1" or "- 0" restores it. A minus
// sign applies only to the intercept. "(1 + x || g)" means uncorrelated
// random effects; "|" is accepted only for a single effect, "(1 | g)" or
// "(0 + x | g)", because correlated effects are not supported. Several random
// terms may share their grouping factor and combine: (1 | g) + (0 + x | g) is
// (1 + x || g). Beyond the grammar, a formula must have exactly one grouping
// factor, must not use the response as a predictor, and every random effect
// must also be a fixed effect (a random intercept needs the fixed intercept).
//
// Not supported, each with an error naming the construct and its position:
// interactions (":" and "*"), nesting ("/", also in g/h), powers ("^"),
// function calls such as log(x) or I(x^2), "." for all other columns,
// correlated random effects, and more than one grouping factor.
//
// # Building the design
//
// Build follows lme4::lFormula: rows missing the response, a predictor or the
// grouping factor are dropped (na.omit) and counted in Design.NDropped; factor
// levels absent from the kept rows are dropped. Text predictors are factors
// coded with treatment contrasts: the reference level is the first in sorted
// order and each other level gets a 0/1 column named column+level, as
// R's model.matrix names it ("SexMale", "vrmid 50%"). Without an intercept
// the first factor gets a column for every level, as in R. A random slope of
// a factor uses the same dummy columns as its fixed term (lme4 would expand
// (0 + f || g) to a column per level; this package does not).
//
// Grouping factor levels follow R's factor order: numeric order when every
// label is a number (as read.csv reads it), otherwise byte order of the
// labels, which is R's order in the C locale (other locales may collate
// mixed case differently).
//
// Term names follow brms: the intercept is "Intercept" (R's "(Intercept)"),
// other columns keep R's model-matrix names, and Design.Names gives the
// parameter names b_<term>, sd_<group>__<term> and sigma.
package frame
