package stun

import (
	"net/netip"
	"sync"
	"time"
)

// Remembering where a socket sent: a NAT keeps a hole open for every
// address its inside host sent to, for a few minutes after the last packet
// (RFC 4787 REQ-5 asks for at least 2, recommends 5). An answer that comes
// through such a hole says nothing about the NAT's filtering.
const (
	sentMemory = 5 * time.Minute
	sentMaxIPs = 1024 // addresses remembered at most; the oldest go first
)

// sentLog remembers the IP addresses one UDP socket sent to recently, from
// every writer that shares it (the Mux's client and the Server's answers and
// partner probes).
type sentLog struct {
	mu   sync.Mutex
	last map[netip.Addr]time.Time
}

func newSentLog() *sentLog {
	return &sentLog{last: map[netip.Addr]time.Time{}}
}

// note records a packet sent to ip at now.
func (l *sentLog) note(ip netip.Addr, now time.Time) {
	ip = ip.Unmap()
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.last[ip]; !ok && len(l.last) >= sentMaxIPs {
		l.forgetOldest(now)
	}
	l.last[ip] = now
}

// forgetOldest drops the addresses past sentMemory, or if none, the oldest one.
func (l *sentLog) forgetOldest(now time.Time) {
	var oldest netip.Addr
	var at time.Time
	for ip, t := range l.last {
		if now.Sub(t) > sentMemory {
			delete(l.last, ip)
			continue
		}
		if at.IsZero() || t.Before(at) {
			oldest, at = ip, t
		}
	}
	if len(l.last) >= sentMaxIPs {
		delete(l.last, oldest)
	}
}

// recent reports whether the socket sent to ip within sentMemory before now.
func (l *sentLog) recent(ip netip.Addr, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	t, ok := l.last[ip.Unmap()]
	return ok && now.Sub(t) <= sentMemory
}
