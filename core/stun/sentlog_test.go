package stun

import (
	"net/netip"
	"testing"
	"time"
)

func TestSentLog(t *testing.T) {
	t.Parallel()
	l := newSentLog()
	now := time.Now()
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("::ffff:192.0.2.2")
	l.note(a, now)
	l.note(b, now.Add(time.Minute))
	if !l.recent(a, now.Add(sentMemory)) {
		t.Error("an address sent to exactly sentMemory ago is not remembered")
	}
	if l.recent(a, now.Add(sentMemory+time.Second)) {
		t.Error("an address sent to longer than sentMemory ago is still remembered")
	}
	if !l.recent(netip.MustParseAddr("192.0.2.2"), now.Add(time.Minute)) {
		t.Error("an IPv4-mapped address and its IPv4 form are not the same address")
	}
	if l.recent(netip.MustParseAddr("192.0.2.3"), now) {
		t.Error("an address never sent to is remembered")
	}

	// Full: the oldest goes first, the newest stay.
	l = newSentLog()
	for i := range sentMaxIPs + 10 {
		l.note(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), now.Add(time.Duration(i)*time.Millisecond))
	}
	if len(l.last) > sentMaxIPs {
		t.Errorf("the log holds %d addresses, more than its limit %d", len(l.last), sentMaxIPs)
	}
	if l.recent(netip.AddrFrom4([4]byte{10, 0, 0, 0}), now.Add(time.Second)) {
		t.Error("the oldest address survived a full log")
	}
	last := sentMaxIPs + 9
	if !l.recent(netip.AddrFrom4([4]byte{10, 0, byte(last >> 8), byte(last)}), now.Add(time.Second)) {
		t.Error("the newest address was forgotten")
	}
}
