package impair

import (
	"net/netip"
	"time"
)

// packet is a datagram waiting for its send time.
type packet struct {
	at   time.Time      // when to send
	dir  Direction      // which way it goes
	idx  uint64         // arrival order within its direction
	to   netip.AddrPort // where it goes
	data []byte         // its own copy of the payload
}

// packetHeap is a min-heap of packets by send time, then arrival order
// (container/heap's interface).
type packetHeap []*packet

// Len is the number of waiting packets.
func (h packetHeap) Len() int { return len(h) }

// Less orders by send time, then by arrival within a direction.
func (h packetHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	if h[i].dir != h[j].dir {
		return h[i].dir < h[j].dir
	}
	return h[i].idx < h[j].idx
}

// Swap swaps two packets.
func (h packetHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }

// Push appends a *packet.
func (h *packetHeap) Push(x any) { *h = append(*h, x.(*packet)) }

// Pop removes the last packet.
func (h *packetHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return p
}
