package audio

import (
	"runtime"
	"sync"
	"testing"
)

func TestRingRoundsUpToAPowerOfTwo(t *testing.T) {
	if c := newRing(1000).Cap(); c != 1024 {
		t.Fatalf("a ring for 1000 samples holds %d, want 1024", c)
	}
}

func TestRingFillsAndEmpties(t *testing.T) {
	q := newRing(8)
	if n := q.Write([]int16{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}); n != 8 {
		t.Fatalf("writing 10 samples into a ring of 8 stored %d, want 8", n)
	}
	if n := q.Write([]int16{11}); n != 0 {
		t.Fatalf("writing into a full ring stored %d samples, want 0", n)
	}
	p := make([]int16, 10)
	if n := q.Read(p); n != 8 || p[0] != 1 || p[7] != 8 {
		t.Fatalf("reading a full ring of 8 gave %d samples %v, want 1..8", n, p[:n])
	}
	if n := q.Read(p); n != 0 || q.Len() != 0 {
		t.Fatalf("reading an empty ring gave %d samples (len %d), want none", n, q.Len())
	}
}

// TestRingWraps pushes uneven chunks through a small ring many times round
// and checks every sample comes out once, in order.
func TestRingWraps(t *testing.T) {
	q := newRing(16)
	next, want := int16(0), int16(0)
	in, out := make([]int16, 7), make([]int16, 5)
	for round := range 500 {
		for i := range in[:1+round%7] {
			in[i] = next + int16(i)
		}
		next += int16(q.Write(in[:1+round%7]))
		if round%5 == 4 {
			want += int16(q.Discard(2))
		}
		n := q.Read(out[:1+round%5])
		for _, v := range out[:n] {
			if v != want {
				t.Fatalf("round %d read sample %d, want %d", round, v, want)
			}
			want++
		}
		if q.Len() != int(next-want) || q.Len() > q.Cap() {
			t.Fatalf("round %d: ring says %d waiting, %d were written and not read", round, q.Len(), next-want)
		}
	}
	if want < 1000 {
		t.Fatalf("only %d samples went through the ring; the test did not wrap it enough", want)
	}
}

func TestRingDiscardStopsAtEmpty(t *testing.T) {
	q := newRing(8)
	q.Write([]int16{1, 2, 3})
	if n := q.Discard(10); n != 3 || q.Len() != 0 {
		t.Fatalf("discarding 10 of 3 samples dropped %d and left %d, want 3 and 0", n, q.Len())
	}
}

// TestRingConcurrent runs a producer and a consumer at once (under -race
// this checks the memory ordering) and checks the sequence arrives whole.
func TestRingConcurrent(t *testing.T) {
	q := newRing(64)
	const total = 200000
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]int16, 13)
		for v := 0; v < total; {
			for i := range buf {
				buf[i] = int16(v + i)
			}
			n := q.Write(buf[:min(len(buf), total-v)])
			if n == 0 {
				runtime.Gosched() // full: let the consumer run (matters at GOMAXPROCS=1)
			}
			v += n
		}
	}()
	buf := make([]int16, 11)
	for got := 0; got < total; {
		n := q.Read(buf)
		if n == 0 {
			runtime.Gosched()
		}
		for _, v := range buf[:n] {
			if v != int16(got) {
				t.Fatalf("sample %d read as %d", int16(got), v)
			}
			got++
		}
	}
	wg.Wait()
}
