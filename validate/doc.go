// Package validate runs the validation suites that measure the estimators
// against the truth and against each other, and turns the results into
// paper-style tables, plots and a report.
//
// Parameters are typed by their brms names (kindOf), and every table,
// plot and gated metric is given per method and type: beta (b_<term>),
// sigma_b (sd_<group>__<term>), sigma, cor (cor_<group>__<term>__<term>,
// the correlations of correlated random effects, Ω_ij of
// Σ_b = diag(σ_b) Ω diag(σ_b)) and b (the random effects
// r_<group>[<level>,<term>]). A correlation's posterior contraction is
// measured against its LKJ(η) prior marginal, (ρ + 1)/2 ~ Beta(a, a) with
// a = η − 1 + q/2, of variance 1/(2η + q − 1) (LKJCorSD; Lewandowski,
// Kurowicka & Joe 2009, J. Multivariate Anal. 100(9)).
//
// Suites:
//
//   - simulated: datasets drawn by package sim from the test prior, each
//     fitted by every available method; correlated random effects occur in
//     it as in the training mix (sim.DefaultConfig). For every parameter
//     the record keeps the truth, the posterior mean and SD, the SBC rank of
//     the truth among L thinned draws (Talts et al. 2018) and its probability integral
//     transform among all draws, from which central-interval coverage at
//     any level follows: the truth lies in the central q-interval exactly when
//     |PIT − ½| ≤ q/2.
//   - real: thirteen public datasets (testdata/datasets and
//     testdata/realdata, embedded in the binary), and sleepstudy once more
//     with correlated random effects (sleepstudy-cor), under their reference
//     priors, fitted by every available method and compared with a
//     reference posterior: rstan's where one is shipped, else the run's NUTS
//     fit. Table 5 gives per dataset and method the largest |Δmean|/sd_ref
//     and |log(sd/sd_ref)| over the global parameters (correlations
//     included), k̂ and the importance-sampling efficiency, whether fit
//     would fall back to NUTS, and a pass flag (every mean within 0.15 reference SD, every SD within
//     ±15%). The proposal methods fit each dataset with Config.RealSeeds
//     fit seeds (the record holds the others' summaries in Seeds), and the
//     table counts the fits that pass and fall back over them.
//   - misspecified: simulated datasets drawn with a departure from the model
//     (package sim's Misspec: Student-t noise, heteroscedastic noise, skewed
//     and heavy-tailed random effects), fitted by every method; Table 7
//     gives their agreement with NUTS and their coverage of the truth.
//
// Each finished (suite, dataset, method) is appended to a JSONL file as soon
// as it is done, so a killed run resumes without losing a finished dataset,
// and shards (dataset i belongs to shard i mod n) merge into the results of
// one run, wall times aside, since every record depends only on the run's
// seed and its dataset index and aggregation only on the sorted records.
// run.json records the configuration, so that neither a resume nor a merge
// mixes runs.
//
// Aggregation uses package calibration: SBC rank ECDFs with simultaneous
// bands (Säilynoja et al. 2022) and log-γ (Modrák et al. 2025), coverage and
// its error (ECE, the signed mean over levels 0.50…0.95, as metabeta), the
// Pearson correlation of posterior means with the truth and the NRMSE, the
// NUTS convergence filter, and timing. The standard errors of the pooled
// metrics come from a bootstrap over datasets (bootstrap.go), so that the
// parameters of one dataset do not count as independent; Gate compares two
// runs' results with them.
package validate
