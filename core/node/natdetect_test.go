package node

import (
	"net/netip"
	"testing"
	"time"
)

func TestNATSchedule(t *testing.T) {
	t.Parallel()
	t0 := time.Now()
	a := netip.MustParseAddrPort("192.0.2.1:7448")
	b := netip.MustParseAddrPort("198.51.100.2:7448")
	one, two := []netip.AddrPort{a}, []netip.AddrPort{a, b}

	s := newNATSchedule(t0)
	if s.due(t0.Add(natFirst-time.Millisecond), two) {
		t.Error("a classification is due before natFirst, although none was made yet")
	}
	if !s.due(t0.Add(natFirst), one) {
		t.Fatal("no classification is due at natFirst")
	}
	// "unknown" again and again: the waits double up to natUnsureMax, and
	// never stop.
	now, want := t0.Add(natFirst), natSoon
	for i := range 12 {
		if got := s.done(now, one, false); got != want {
			t.Fatalf("wait after unknown answer %d is %v, want %v", i+1, got, want)
		}
		if s.due(now.Add(want-time.Millisecond), one) {
			t.Fatalf("after unknown answer %d a classification is due before its wait is over, with the same peers", i+1)
		}
		now = now.Add(want)
		if !s.due(now, one) {
			t.Fatalf("after unknown answer %d no classification is due when its wait is over", i+1)
		}
		want = min(2*want, natUnsureMax)
	}
	if want != natUnsureMax {
		t.Fatalf("the waits never reached natUnsureMax (last %v)", want)
	}
	// A peer at a new IP: ask it at once.
	if !s.due(now.Add(-time.Minute), two) {
		t.Error("an unknown answer is not asked again at once when a peer at a new IP links")
	}
	// Known: every natEvery, new peers or not, and an unknown after that
	// starts the waits from natSoon again.
	if got := s.done(now, two, true); got != natEvery {
		t.Errorf("wait after a named type is %v, want %v", got, natEvery)
	}
	if s.due(now.Add(time.Minute), append(two, netip.MustParseAddrPort("203.0.113.3:7448"))) {
		t.Error("a named type is asked again early because a peer linked")
	}
	if got := s.done(now.Add(natEvery), two, false); got != natSoon {
		t.Errorf("the first wait after a named type turned unknown is %v, want %v", got, natSoon)
	}
}
