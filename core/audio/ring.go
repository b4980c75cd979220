package audio

import "sync/atomic"

// ring is a lock-free single-producer single-consumer queue of samples.
// Write belongs to the producer, Read and Discard to the consumer; Len is
// safe from either. The indexes only grow (wrapping at 2^64) and are masked
// into buf, whose length is a power of two. Nothing allocates after newRing.
type ring struct {
	buf  []int16
	mask uint64
	_    [48]byte // keep w and r on their own cache lines
	w    atomic.Uint64
	_    [56]byte
	r    atomic.Uint64
	_    [56]byte
}

// newRing returns a ring holding at least min samples.
func newRing(min int) *ring {
	n := 1
	for n < min {
		n <<= 1
	}
	return &ring{buf: make([]int16, n), mask: uint64(n - 1)}
}

// Cap is how many samples the ring holds.
func (q *ring) Cap() int { return len(q.buf) }

// Len is how many samples wait to be read.
func (q *ring) Len() int { return int(q.w.Load() - q.r.Load()) }

// Write appends as much of p as fits and returns how much that was.
func (q *ring) Write(p []int16) int {
	w := q.w.Load()
	n := min(len(p), len(q.buf)-int(w-q.r.Load()))
	if n <= 0 {
		return 0
	}
	c := copy(q.buf[w&q.mask:], p[:n])
	copy(q.buf, p[c:n])
	q.w.Store(w + uint64(n))
	return n
}

// Read moves up to len(p) of the oldest samples into p and returns how many.
func (q *ring) Read(p []int16) int {
	r := q.r.Load()
	n := min(len(p), int(q.w.Load()-r))
	if n <= 0 {
		return 0
	}
	c := copy(p[:n], q.buf[r&q.mask:])
	copy(p[c:n], q.buf)
	q.r.Store(r + uint64(n))
	return n
}

// Discard drops up to n of the oldest samples and returns how many.
func (q *ring) Discard(n int) int {
	r := q.r.Load()
	n = min(n, int(q.w.Load()-r))
	if n <= 0 {
		return 0
	}
	q.r.Store(r + uint64(n))
	return n
}
