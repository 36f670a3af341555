package resp

import (
	"math/bits"
	"sync"
)

// Encoder buffers for large arguments come from size-classed pools, so a
// program that sends a 1 MiB value again and again does not allocate (and
// collect) a fresh buffer, nor grow one by doubling, for each command.
//
// The classes run from minBig up in steps of 1.5× and 4/3× (64 KiB, 96
// KiB, 128 KiB, 192 KiB, ...): a buffer is at most 1.5× what it holds.
// Past maxBig, buffers are plain allocations.
const (
	minBigShift = 16
	minBig      = 1 << minBigShift // 64 KiB
	maxBigShift = 30
	maxBig      = 1 << maxBigShift // 1 GiB
	bigClasses  = 2 * (maxBigShift - minBigShift + 1)
)

var bigPools [bigClasses]sync.Pool

// bigClass returns the class of the smallest pooled buffer holding n bytes
// and its size; ok is false past maxBig.
func bigClass(n int) (class, size int, ok bool) {
	if n > maxBig {
		return 0, 0, false
	}
	if n <= minBig {
		return 0, minBig, true
	}
	k := bits.Len(uint(n - 1)) // 1<<(k-1) < n <= 1<<k
	if half := 3 << (k - 2); n <= half {
		return 2*(k-1-minBigShift) + 1, half, true
	}
	return 2 * (k - minBigShift), 1 << k, true
}

// takeBig returns an empty buffer with room for at least n bytes.
func takeBig(n int) []byte {
	class, size, ok := bigClass(n)
	if !ok {
		return make([]byte, 0, n)
	}
	if p, _ := bigPools[class].Get().(*[]byte); p != nil {
		return (*p)[:0]
	}
	return make([]byte, 0, size)
}

// putBig pools b for reuse when its capacity is exactly a class size (so
// it came from takeBig); the caller must hold no other reference to it.
func putBig(b []byte) {
	class, size, ok := bigClass(cap(b))
	if !ok || size != cap(b) {
		return
	}
	b = b[:0]
	bigPools[class].Put(&b)
}

// bigArg is the argument size from which the Encoder grows its buffer from
// the pools rather than by append's doubling.
const bigArg = 16 << 10

// reserve makes room for n more bytes, moving to a pooled buffer when the
// current one is too small for a large argument.
func (e *Encoder) reserve(n int) {
	if cap(e.buf)-len(e.buf) >= n {
		return
	}
	nb := append(takeBig(len(e.buf)+n), e.buf...)
	putBig(e.buf)
	e.buf = nb
}
