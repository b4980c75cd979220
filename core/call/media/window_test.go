package media

import (
	"math/rand/v2"
	"testing"
)

func TestReplayWindow(t *testing.T) {
	e := testEnds(t)
	s, o := e.callerSend, e.calleeRecv
	open := func(c uint64) error {
		_, err := o.Open(sealAudioAt(t, s, c, testOpus), nil)
		return err
	}
	for _, c := range []uint64{1, 2, 5, 4, 3} {
		if err := open(c); err != nil {
			t.Fatalf("counter %d (in order or reordered within the window) was refused: %v", c, err)
		}
	}
	if err := open(4); err != ErrReplay {
		t.Fatalf("a duplicate of counter 4 gave %v, want ErrReplay", err)
	}
	if err := open(3000); err != nil {
		t.Fatalf("a jump to counter 3000 was refused: %v", err)
	}
	if err := open(3000 - WindowSize); err != ErrReplay {
		t.Fatalf("counter highest-%d gave %v, want ErrReplay", WindowSize, err)
	}
	if err := open(3000 - WindowSize + 1); err != nil {
		t.Fatalf("counter highest-%d, the oldest in the window, was refused: %v", WindowSize-1, err)
	}
	if err := open(5); err != ErrReplay {
		t.Fatalf("counter 5, long behind the window, gave %v, want ErrReplay", err)
	}

	// A forged packet with a huge counter fails authentication and leaves
	// the window where it was.
	forged := sealAudioAt(t, testEnds(t).callerSend, 2999, testOpus)
	putHeader(forged, KindAudio, TagOf(testCallID), 1<<40)
	if _, err := o.Open(forged, nil); err != ErrAuth {
		t.Fatalf("a forged packet with counter 2^40 gave %v, want ErrAuth", err)
	}
	if o.Highest() != 3000 {
		t.Fatalf("the forged packet moved the window to %d", o.Highest())
	}
	if err := open(2999); err != nil {
		t.Fatalf("counter 2999 was refused after the forged packet: %v", err)
	}
	if s := o.Stats(); s.Opened != 8 || s.Replay != 3 || s.Auth != 1 {
		t.Fatalf("the stats are %+v, want 8 opened, 3 replays, 1 failed authentication", s)
	}
}

// TestWindowAgainstModel drives the window with random counters, near and
// far, and checks every answer against a set of everything accepted.
func TestWindowAgainstModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var w window
	seen := map[uint64]bool{}
	var highest uint64
	for i := range 200_000 {
		var c uint64
		switch r.IntN(10) {
		case 0: // far ahead, past the whole ring at times
			c = highest + 1 + r.Uint64N(5*WindowSize)
		case 1, 2: // around the window's tail
			c = highest - min(highest, WindowSize-8) + r.Uint64N(16)
			if highest < WindowSize+8 {
				c = 1 + r.Uint64N(highest+1)
			}
		default: // recent: new or reordered or a duplicate
			c = highest + 4 - min(highest, r.Uint64N(64))
		}
		if c == 0 {
			c = 1
		}
		want := c > highest || (highest-c < WindowSize && !seen[c])
		if got := w.fresh(c); got != want {
			t.Fatalf("step %d: fresh(%d) with highest %d = %v, want %v", i, c, highest, got, want)
		}
		if want {
			w.mark(c)
			seen[c] = true
			highest = max(highest, c)
		}
		if w.highest != highest {
			t.Fatalf("step %d: the window's highest is %d, want %d", i, w.highest, highest)
		}
	}
}
