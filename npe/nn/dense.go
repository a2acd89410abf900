package nn

import "math/rand/v2"

// Dense is the affine map y = x·W + b with W of shape [In, Out].
type Dense struct {
	// W ([In, Out]) and B ([Out]) are the weights and bias.
	W, B    *Param
	in, out int
	x       []float64
	rows    int
	y, dx   []float64
}

// NewDense returns a Dense layer with LeCun-normal weights and zero bias.
func NewDense(name string, in, out int, rng *rand.Rand) *Dense {
	d := &Dense{W: NewParam(name+".w", in, out), B: NewParam(name+".b", out), in: in, out: out}
	d.B.NoDecay = true
	LeCunNormal(rng, d.W, in)
	return d
}

// InDim returns the input width.
func (d *Dense) InDim() int { return d.in }

// OutDim returns the output width.
func (d *Dense) OutDim() int { return d.out }

// Params returns W and B.
func (d *Dense) Params() []*Param { return []*Param{d.W, d.B} }

// Replica returns a Dense sharing W and B values.
func (d *Dense) Replica() Layer { return d.replica() }

func (d *Dense) replica() *Dense {
	return &Dense{W: d.W.Share(), B: d.B.Share(), in: d.in, out: d.out}
}

// Forward computes y = x·W + b for rows rows.
func (d *Dense) Forward(x []float64, rows int) []float64 {
	if len(x) != rows*d.in {
		panic("nn: dense input size mismatch")
	}
	d.x, d.rows = x, rows
	d.y = grow(d.y, rows*d.out)
	for r := 0; r < rows; r++ {
		copy(d.y[r*d.out:(r+1)*d.out], d.B.Value)
	}
	MatMul(false, false, rows, d.out, d.in, 1, x, d.W.Value, 1, d.y)
	return d.y
}

// Backward accumulates dW += xᵀ·dy, db += Σ_rows dy and returns dx = dy·Wᵀ.
func (d *Dense) Backward(dy []float64) []float64 {
	if len(dy) != d.rows*d.out {
		panic("nn: dense gradient size mismatch")
	}
	MatMul(true, false, d.in, d.out, d.rows, 1, d.x, dy, 1, d.W.Grad)
	for r := 0; r < d.rows; r++ {
		row := dy[r*d.out : (r+1)*d.out]
		for j, v := range row {
			d.B.Grad[j] += v
		}
	}
	d.dx = grow(d.dx, d.rows*d.in)
	MatMul(false, true, d.rows, d.in, d.out, 1, dy, d.W.Value, 0, d.dx)
	return d.dx
}
