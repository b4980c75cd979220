package stun

import (
	"net"
	"net/netip"
	"testing"

	pion "github.com/pion/stun/v3"
)

func TestIsSTUN(t *testing.T) {
	t.Parallel()
	req := buildRequest(newID(), true, false)
	cases := []struct {
		b    []byte
		want bool
	}{
		{req, true},
		{buildSuccess(newID(), netip.MustParseAddrPort("[2001:db8::1]:9")), true},
		{req[:len(req)-4], false}, // length field says more
		{append(req, 0, 0, 0, 0), false},
		{[]byte{0xd1, 'p', 'n', 'c', 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, false}, // top bits set
		{nil, false},
	}
	for i, c := range cases {
		if got := IsSTUN(c.b); got != c.want {
			t.Errorf("case %d: IsSTUN = %v, want %v", i, got, c.want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, to := range []string{"198.51.100.7:3478", "[2001:db8::7]:65535", "10.0.0.1:1"} {
		id := newID()
		ap := netip.MustParseAddrPort(to)
		r, err := parseResponse(buildSuccess(id, ap))
		if err != nil || !r.OK || r.ID != id || r.Mapped != ap {
			t.Errorf("success to %s: %+v, %v", to, r, err)
		}
	}
	id := newID()
	r, err := parseResponse(buildError(id, 420))
	if err != nil || r.OK || r.Code != 420 || r.ID != id {
		t.Errorf("error response: %+v, %v", r, err)
	}
	for _, f := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		q, err := parseRequest(buildRequest(id, f[0], f[1]))
		if err != nil || q.ID != id || q.ChangeIP != f[0] || q.ChangePort != f[1] {
			t.Errorf("request %v: %+v, %v", f, q, err)
		}
	}
}

// FuzzParseRequest checks that any bytes decode without panic, and that a
// request that decodes is framed as STUN within the size limit.
func FuzzParseRequest(f *testing.F) {
	f.Add(buildRequest(newID(), false, false))
	f.Add(buildRequest(newID(), true, true))
	f.Add(buildSuccess(newID(), netip.MustParseAddrPort("192.0.2.1:1")))
	f.Add([]byte("not stun at all"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseRequest(b)
		if err != nil {
			return
		}
		if !IsSTUN(b) || len(b) > MaxMessage {
			t.Fatalf("accepted %d bytes not framed as STUN", len(b))
		}
		if q, err := parseRequest(buildRequest(r.ID, r.ChangeIP, r.ChangePort)); err != nil || q != r {
			t.Fatalf("re-encoded request %+v decodes as %+v, %v", r, q, err)
		}
	})
}

// FuzzParseResponse checks that any bytes decode without panic, and that a
// success response always carries a usable address.
func FuzzParseResponse(f *testing.F) {
	f.Add(buildSuccess(newID(), netip.MustParseAddrPort("192.0.2.1:1")))
	f.Add(buildSuccess(newID(), netip.MustParseAddrPort("[2001:db8::1]:443")))
	f.Add(buildError(newID(), 420))
	f.Add(buildRequest(newID(), false, false))
	withOther := buildSuccess(newID(), netip.MustParseAddrPort("192.0.2.1:1"))
	m := &pion.Message{Raw: withOther}
	_ = m.Decode()
	_ = (&pion.OtherAddress{IP: net.IPv4(192, 0, 2, 9), Port: 3479}).AddTo(m)
	f.Add(m.Raw)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseResponse(b)
		if err != nil {
			return
		}
		if !IsSTUN(b) || len(b) > MaxMessage {
			t.Fatalf("accepted %d bytes not framed as STUN", len(b))
		}
		if r.OK && (!r.Mapped.IsValid() || r.Mapped.Port() == 0) {
			t.Fatalf("success response with mapped address %s", r.Mapped)
		}
		if r.Other.IsValid() && (!r.OK || !sendable(r.Other)) {
			t.Fatalf("other address %s kept (success %v): only a sendable one of a success may be", r.Other, r.OK)
		}
	})
}
