package main

import (
	"net/netip"
	"sync/atomic"

	"tincan/core/call"
	"tincan/core/call/media"
)

// countingConn is a party's call.UDPConn: the real stun.Mux, with the bytes
// the engine sends counted on the way out.
type countingConn struct {
	call.UDPConn
	pkts, bytes           atomic.Uint64 // everything sent: audio, reports, pings, punch probes
	audioPkts, audioBytes atomic.Uint64 // sealed audio packets only
}

// WriteToUDPAddrPort counts b and sends it.
func (c *countingConn) WriteToUDPAddrPort(b []byte, to netip.AddrPort) (int, error) {
	c.pkts.Add(1)
	c.bytes.Add(uint64(len(b)))
	if len(b) > 1 && b[0] == media.Magic && media.Kind(b[1]&0x0f) == media.KindAudio {
		c.audioPkts.Add(1)
		c.audioBytes.Add(uint64(len(b)))
	}
	return c.UDPConn.WriteToUDPAddrPort(b, to)
}

// deadSession is the SessionLink of both parties: it refuses every packet,
// so media reaches the other side over UDP through the proxy or not at all,
// and it counts what it refused (the packets sent before the punch found
// the path).
type deadSession struct {
	refused atomic.Uint64
}

// SendMedia refuses the packet.
func (d *deadSession) SendMedia(int64, []byte) bool {
	d.refused.Add(1)
	return false
}

// SessionPath says the chat session is direct.
func (d *deadSession) SessionPath(int64) (path, relay string) { return call.PathDirect, "" }
