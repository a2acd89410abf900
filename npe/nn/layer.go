package nn

// Layer is a row-wise differentiable map from rows×InDim to rows×OutDim.
//
// Forward returns a layer-owned buffer valid until the next Forward; the
// input x must stay unchanged until Backward. Backward takes the gradient of
// the loss with respect to the output, accumulates parameter gradients into
// Params()[i].Grad and returns a layer-owned gradient with respect to x.
// Buffers grow on first use and are reused, so after warm-up neither call
// allocates.
type Layer interface {
	Forward(x []float64, rows int) []float64
	Backward(dy []float64) []float64
	Params() []*Param
	InDim() int
	OutDim() int
	// Replica returns a layer sharing parameter values with fresh gradient
	// buffers and caches, for a concurrent worker.
	Replica() Layer
}
