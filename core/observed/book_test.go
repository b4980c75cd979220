package observed

import (
	"net/netip"
	"testing"
	"time"

	"tincan/core/clock/clocktest"
)

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
func ip(s string) netip.Addr     { return netip.MustParseAddr(s) }

func slash16(a netip.Addr) netip.Prefix { p, _ := a.Prefix(16); return p }

var public = Rule{Counts: func(a netip.Addr) bool { return !a.IsPrivate() && !a.IsLoopback() }, Network: slash16}

func TestOnePeerRepeatingItselfNeverAgrees(t *testing.T) {
	b := New(nil)
	for range 10 {
		b.Note("liar", ip("8.8.4.4"), ap("1.2.3.4:7448"), true)
	}
	if a, ok := b.Agreed(); ok {
		t.Fatalf("one peer saying %v ten times was taken as agreement", a)
	}
	if a, ok := b.Confirmed(public); ok {
		t.Fatalf("one peer saying %v ten times confirmed it", a)
	}
	if got := b.Latest(); len(got) != 1 || got[0] != ap("1.2.3.4:7448") {
		t.Fatalf("the hint list is %v, want the one claim", got)
	}
}

func TestTwoPeersAgreeButOneNetworkDoesNotConfirm(t *testing.T) {
	b := New(nil)
	b.Note("a", ip("8.8.4.4"), ap("1.2.3.4:7448"), true)
	b.Note("b", ip("8.8.9.9"), ap("1.2.3.4:7448"), true)
	if a, ok := b.Agreed(); !ok || a != ap("1.2.3.4:7448") {
		t.Fatalf("two observers agreeing gave %v, %v", a, ok)
	}
	if a, ok := b.Confirmed(public); ok {
		t.Fatalf("two observers in one /16 confirmed %v", a)
	}
	b.Note("c", ip("9.9.9.9"), ap("1.2.3.4:7448"), true)
	if a, ok := b.Confirmed(public); !ok || a != ip("1.2.3.4") {
		t.Fatalf("observers in two /16s gave %v, %v; want 1.2.3.4 confirmed", a, ok)
	}
}

func TestOnlyInboundPublicObserversConfirm(t *testing.T) {
	b := New(nil)
	b.Note("lan", ip("192.168.1.20"), ap("1.2.3.4:7448"), true)
	b.Note("out", ip("9.9.9.9"), ap("1.2.3.4:7448"), false)
	b.Note("pub", ip("8.8.8.8"), ap("1.2.3.4:7448"), true)
	if a, ok := b.Confirmed(public); ok {
		t.Fatalf("a LAN peer and a link we dialed confirmed %v", a)
	}
}

func TestAChangedSayReplacesTheOld(t *testing.T) {
	b := New(nil)
	b.Note("a", ip("8.8.4.4"), ap("1.2.3.4:7448"), true)
	b.Note("b", ip("9.9.9.9"), ap("1.2.3.4:7448"), true)
	b.Note("a", ip("8.8.4.4"), ap("5.6.7.8:7448"), true)
	if a, ok := b.Confirmed(public); ok {
		t.Fatalf("after a changed its say, %v is still confirmed", a)
	}
}

func TestSaysExpire(t *testing.T) {
	c := clocktest.New(time.Unix(1000, 0))
	b := New(c)
	b.Note("a", ip("8.8.4.4"), ap("1.2.3.4:7448"), true)
	b.Note("b", ip("9.9.9.9"), ap("1.2.3.4:7448"), true)
	if _, ok := b.Confirmed(public); !ok {
		t.Fatal("fresh says did not confirm")
	}
	c.Advance(MaxAge)
	if a, ok := b.Confirmed(public); ok {
		t.Fatalf("says older than MaxAge still confirm %v", a)
	}
	if got := b.Latest(); len(got) != 0 {
		t.Fatalf("expired hints still listed: %v", got)
	}
}

func TestTheBookIsBounded(t *testing.T) {
	b := New(nil)
	for i := range MaxObservers * 3 {
		b.Note(string(rune('A'+i)), ip("8.8.8.8"), netip.AddrPortFrom(ip("1.2.3.4"), uint16(1000+i)), true)
	}
	if n := len(b.fresh()); n != MaxObservers {
		t.Fatalf("the book holds %d says, want at most %d", n, MaxObservers)
	}
	if got := b.Latest(); len(got) != maxLatest {
		t.Fatalf("Latest returned %d hints, want %d", len(got), maxLatest)
	}
}

func TestConfirmedNeedsTheRightPort(t *testing.T) {
	b := New(nil)
	b.Note("a", ip("8.8.4.4"), ap("1.2.3.4:40000"), true)
	b.Note("b", ip("9.9.9.9"), ap("1.2.3.4:40000"), true)
	r := public
	r.Port = 7448
	if a, ok := b.Confirmed(r); ok {
		t.Fatalf("claims on port 40000 confirmed %v for port 7448", a)
	}
}
