package impair

import (
	"fmt"
	"sync/atomic"
)

// Direction names one way through the Proxy.
type Direction int

// The two directions.
const (
	ToTarget   Direction = iota // from A to Target
	FromTarget                  // from Target to A
)

// String names the direction.
func (d Direction) String() string {
	switch d {
	case ToTarget:
		return "to target"
	case FromTarget:
		return "from target"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// Counters count one direction's datagrams. In = Out + Dropped + Discarded
// + those still waiting.
type Counters struct {
	In        uint64 // datagrams received
	Out       uint64 // datagrams sent on
	Dropped   uint64 // lost on purpose by the loss models
	Reordered uint64 // sent after a datagram that arrived later
	Discarded uint64 // not forwarded for another reason: no peer yet, a stranger, queue full, send error
}

// counters is Counters kept up to date from several goroutines.
type counters struct {
	in, out, dropped, reordered, discarded atomic.Uint64
}

// snapshot reads the counters.
func (c *counters) snapshot() Counters {
	return Counters{
		In:        c.in.Load(),
		Out:       c.out.Load(),
		Dropped:   c.dropped.Load(),
		Reordered: c.reordered.Load(),
		Discarded: c.discarded.Load(),
	}
}
