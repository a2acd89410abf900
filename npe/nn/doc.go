// Package nn holds the neural-network parts of the NPE: a single matrix
// product wrapper, row-wise layers, masked attention, set-transformer blocks,
// pooling, AdamW, gradient clipping, a learning-rate schedule and layer
// replicas for deterministic data-parallel training. Tensors are flat row-major
// []float64 slices; a batch of B sets of S tokens of width D is B·S rows of D.
//
// # Matrix products
//
// Every product goes through Gemm, which calls Impl (gonum's pure-Go BLAS by
// default). Products with a long inner dimension and a small output, the
// weight gradient dW = Xᵀ·dY, are split into fixed k-chunks computed on
// separate goroutines and summed in chunk order: gonum's own parallel path
// runs this shape at 2 GFLOP/s on 2 cores, the split at 13 (BenchmarkGemm,
// width=128/TN against width=128/TN/gonum-direct).
// The chunking depends only on the sizes, so results do not depend on
// GOMAXPROCS. Larger products are cut into 64×64 tiles of C. Tiles, k-parts
// and attention's (set, head) pairs run on a fixed pool of worker goroutines
// (parallel.go) where the caller also works through its own chunks, so
// parallel sections allocate nothing and nested ones cannot deadlock.
//
// # Layers
//
// Dense: y = xW + b. LayerNorm (Ba et al. 2016): y = γ⊙(x−μ)/√(σ²+ε) + β.
// GELU (Hendrycks & Gimpel 2016): y = xΦ(x). ReLU. ResidualMLP: y = x + MLP(x).
// Each layer caches what its Backward needs; Backward accumulates parameter
// gradients (so a caller zeroes them between steps) and returns the input
// gradient. Buffers are grown once and reused.
//
// # Attention and set blocks
//
// MultiHeadAttention (Vaswani et al. 2017) computes
// softmax(QKᵀ/√d_h + M)V per head, with M = −∞ on padded keys, so padded
// tokens get weight exactly 0 and cannot change any real output (tested
// bitwise). MAB(X, Y) = LN(H + FF(H)), H = LN(X + MHA(X, Y)) is the block of
// Lee et al. (2019) in metabeta's post-norm form; SAB(X) = MAB(X, X);
// ISAB(X) = MAB(X, MAB(I, X)) with learned inducing points I; PMA(X) =
// MAB(S, X) with learned seeds S. MeanPool is the masked mean over a set.
//
// # Training
//
// AdamW (Loshchilov & Hutter 2019) decouples weight decay from the adaptive
// step; ClipGradNorm bounds the global gradient norm; WarmupCosine is linear
// warmup then cosine decay. Initialization: Dense weights are LeCun-normal,
// N(0, 1/fan_in) (LeCun et al. 1998), attention projections and learned
// seeds Xavier-uniform (Glorot & Bengio 2010), flow conditioners' last
// layers U(±1e-3) so flows start near the identity. Layers' Replica
// methods return copies that share weights and own gradients, so that
// chunks of a minibatch can run concurrently (ParallelFor) and their
// gradients be summed in a fixed order: the same seed then gives the same
// weights for any GOMAXPROCS.
package nn
