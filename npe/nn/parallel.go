package nn

import (
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
)

// The package's parallel work runs on a fixed set of long-lived worker
// goroutines, so that parallel sections allocate nothing after warm-up.
//
// A parallel section is a task with a count of independent chunks. The
// caller publishes up to GOMAXPROCS−1 helper tokens and then claims chunks
// itself; helpers claim chunks from the same atomic counter. The caller
// waits only for chunks already claimed, which are being run, so nested
// parallel sections cannot deadlock even when every worker is busy (the
// failure mode of GoMLX's pool on 2 cores). Tasks are
// reference counted and recycled by whoever drops the last reference, so a
// stale helper token never sees a reused task.
type task struct {
	next  atomic.Int64
	total int64
	refs  atomic.Int32
	wg    sync.WaitGroup

	// exactly one of these is set
	f    func(i int)
	gemm *gemmTask
}

// freeList recycles objects without sync.Pool, whose per-P caches and
// GC clearing would allocate now and then; after warm-up it holds as many
// objects as were ever in use at once and never allocates.
type freeList[T any] struct {
	mu    sync.Mutex
	items []*T
}

func (f *freeList[T]) get() *T {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n := len(f.items); n > 0 {
		t := f.items[n-1]
		f.items = f.items[:n-1]
		return t
	}
	return new(T)
}

func (f *freeList[T]) put(t *T) {
	f.mu.Lock()
	f.items = append(f.items, t)
	f.mu.Unlock()
}

var (
	taskPool   freeList[task]
	tokens     chan *task
	startPool  sync.Once
	numHelpers int
)

func startWorkers() {
	numHelpers = max(1, runtime.NumCPU())
	tokens = make(chan *task, 256)
	for i := 0; i < numHelpers; i++ {
		go func() {
			for t := range tokens {
				t.work()
				t.release()
			}
		}()
	}
}

func (t *task) work() {
	for {
		i := t.next.Add(1) - 1
		if i >= t.total {
			return
		}
		if t.f != nil {
			t.f(int(i))
		} else {
			t.gemm.chunk(int(i))
		}
		t.wg.Done()
	}
}

func (t *task) release() {
	if t.refs.Add(-1) == 0 {
		t.f, t.gemm = nil, nil
		taskPool.put(t)
	}
}

// run executes chunks [0, n) of a task on the caller and helpers.
func run(n int, f func(int), g *gemmTask) {
	if n <= 0 {
		return
	}
	helpers := min(n, runtime.GOMAXPROCS(0)) - 1
	if helpers <= 0 {
		for i := 0; i < n; i++ {
			if f != nil {
				f(i)
			} else {
				g.chunk(i)
			}
		}
		return
	}
	startPool.Do(startWorkers)
	t := taskPool.get()
	t.f, t.gemm, t.total = f, g, int64(n)
	t.next.Store(0)
	t.refs.Store(1)
	t.wg.Add(n)
	for h := 0; h < helpers; h++ {
		t.refs.Add(1)
		select {
		case tokens <- t:
		default:
			t.refs.Add(-1)
		}
	}
	t.work()
	t.wg.Wait()
	t.release()
}

// ParallelFor calls f(i) for i in [0, n) on the caller and up to
// GOMAXPROCS−1 pool workers. Each index runs exactly once, so results
// written to disjoint places do not depend on scheduling. Passing a func
// value stored once (not a fresh closure) keeps the call allocation-free.
func ParallelFor(n int, f func(i int)) { run(n, f, nil) }

// gemmTask is a tiled matrix product: tiles are (k-part, row block, column
// block) triples. Tiles of k-part 0 update C, tiles of part p > 0 write
// into scratch[p-1]; the caller adds the scratches in part order.
type gemmTask struct {
	ta, tb            blas.Transpose
	m, n, k           int
	alpha, beta       float64
	a, b, c           []float64
	lda, ldb, ldc     int
	parts, chunkK     int
	rowBlocks, colBlk int
	scratch           [SplitKMaxPartsCap - 1][]float64
}

// SplitKMaxPartsCap bounds SplitKMaxParts.
const SplitKMaxPartsCap = 8

// tileSize is the edge of a C tile run serially by one worker; at 64 gonum's
// Dgemm takes its serial path (it parallelizes from 2×2 blocks of 64).
const tileSize = 64

func (g *gemmTask) chunk(i int) {
	tiles := g.rowBlocks * g.colBlk
	p, rc := i/tiles, i%tiles
	r, cb := rc/g.colBlk, rc%g.colBlk
	i0, i1 := r*tileSize, min(g.m, (r+1)*tileSize)
	j0, j1 := cb*tileSize, min(g.n, (cb+1)*tileSize)
	k0, k1 := p*g.chunkK, min(g.k, (p+1)*g.chunkK)
	var aSub, bSub []float64
	if g.ta == blas.NoTrans {
		aSub = g.a[i0*g.lda+k0:]
	} else {
		aSub = g.a[k0*g.lda+i0:]
	}
	if g.tb == blas.NoTrans {
		bSub = g.b[k0*g.ldb+j0:]
	} else {
		bSub = g.b[j0*g.ldb+k0:]
	}
	if p == 0 {
		Impl.Dgemm(g.ta, g.tb, i1-i0, j1-j0, k1-k0, g.alpha, aSub, g.lda, bSub, g.ldb, g.beta, g.c[i0*g.ldc+j0:], g.ldc)
		return
	}
	Impl.Dgemm(g.ta, g.tb, i1-i0, j1-j0, k1-k0, g.alpha, aSub, g.lda, bSub, g.ldb, 0, g.scratch[p-1][i0*g.n+j0:], g.n)
}

var gemmTaskPool freeList[gemmTask]
