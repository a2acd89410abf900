// Package npe is the root of the neural posterior estimator of the harness:
// a set-transformer summary network (package nn) feeding a conditional
// normalizing flow (package flow), trained by minibatch AdamW on simulated
// (θ, data) pairs, with weights stored by package weights. Package
// estimator wires the parts: it prepares each dataset, trains the network,
// saves and loads model files and draws posterior samples; fit --method npe
// and npe-is use it. It follows metabeta (Kipnis, Binz & Schulz 2025, arXiv
// 2510.07473, §2).
//
// Everything is hand-written forward and backward passes in float64 over
// gonum's BLAS; no Go ML framework is used. This package itself holds no
// code.
package npe
