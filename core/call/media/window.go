package media

// WindowSize is how far behind the highest counter seen a packet may
// arrive: counters at or below highest-WindowSize are refused.
const WindowSize = 1024

const (
	wordBits = 64
	// ringWords holds the window and the word being filled: a window that
	// ends inside a word touches WindowSize/wordBits+1 words, and a power of
	// two keeps the index a mask.
	ringWords = 2 * WindowSize / wordBits
)

// window is a sliding bitmap over counters (RFC 6479 style): highest is
// the largest counter accepted, and bit c of the ring records whether
// counter c, within WindowSize of highest, was accepted.
type window struct {
	highest uint64
	ring    [ringWords]uint64
}

// fresh reports whether c is new and within the window. It changes nothing.
func (w *window) fresh(c uint64) bool {
	if c > w.highest {
		return true
	}
	if w.highest-c >= WindowSize {
		return false
	}
	return w.ring[(c/wordBits)%ringWords]&(1<<(c%wordBits)) == 0
}

// mark records c as accepted, sliding the window forward if c is the new
// highest. Call it only for an authenticated c that fresh accepted.
func (w *window) mark(c uint64) {
	if c > w.highest {
		from, to := w.highest/wordBits, c/wordBits
		if to-from >= ringWords {
			clear(w.ring[:])
		} else {
			for i := from + 1; i <= to; i++ {
				w.ring[i%ringWords] = 0
			}
		}
		w.highest = c
	}
	w.ring[(c/wordBits)%ringWords] |= 1 << (c % wordBits)
}
