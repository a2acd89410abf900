// The metabeta model in Stan, for the side-by-side benchmark (make bench-stan).
// Gaussian linear mixed model, one grouping factor, uncorrelated random
// effects on the first Q columns of X, non-centred. The prior on the
// intercept is on the intercept of the model with centred predictors (brms
// and rstanarm convention); beta[1] is reported on the original scale.
data {
  int<lower=1> N;
  int<lower=1> P;                 // fixed effects, X[, 1] is the intercept
  int<lower=0> Q;                 // random effects: the first Q columns of X
  int<lower=1> J;                 // groups
  int<lower=1, upper=J> g[N];
  matrix[N, P] X;
  vector[N] y;
  vector[P] nu;
  vector<lower=0>[P] tau_beta;
  vector<lower=0>[Q] tau_b;
  real<lower=0> tau_eps;
}
transformed data {
  row_vector[P - 1] xbar;
  matrix[N, P - 1] Xc;
  for (k in 2:P) {
    xbar[k - 1] = mean(X[, k]);
    Xc[, k - 1] = X[, k] - xbar[k - 1];
  }
}
parameters {
  real alpha;
  vector[P - 1] slope;
  vector<lower=0>[Q] sigma_b;
  real<lower=0> sigma_eps;
  matrix[J, Q] z;
}
transformed parameters {
  matrix[J, Q] b = z * diag_matrix(sigma_b);
}
model {
  vector[N] mu = alpha + Xc * slope;
  for (k in 1:Q) mu += X[, k] .* b[g, k];
  alpha ~ normal(nu[1], tau_beta[1]);
  slope ~ normal(nu[2:P], tau_beta[2:P]);
  sigma_b ~ normal(0, tau_b);
  sigma_eps ~ normal(0, tau_eps);
  to_vector(z) ~ std_normal();
  y ~ normal(mu, sigma_eps);
}
generated quantities {
  vector[P] beta;
  beta[1] = alpha - xbar * slope;
  beta[2:P] = slope;
}
