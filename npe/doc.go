// Package npe is the root of the neural posterior estimator of the harness:
// a set-transformer summary network (package nn) feeding a conditional
// normalizing flow (package flow), trained by minibatch AdamW on simulated
// (θ, data) pairs, with weights stored by package weights. It follows
// metabeta (Kipnis, Binz & Schulz 2025, arXiv 2510.07473, §2).
//
// Everything is hand-written forward and backward passes in float64 over
// gonum's BLAS (see research/mlstack.md for the measured reasons); no Go ML
// framework is used. This package itself holds no code yet: the estimator
// that wires the parts is a later issue.
package npe
