package natlab

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

func TestSTUNRoundTrip(t *testing.T) {
	id := [12]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	req, err := parseSTUN(stunRequest(id))
	if err != nil {
		t.Fatal(err)
	}
	if req.Type != stunBindingReq || !bytes.Equal(req.ID[4:], id[:]) {
		t.Fatalf("request parsed as %+v", req)
	}
	from := netip.MustParseAddrPort("198.51.100.17:40123")
	resp, err := readSTUN(bytes.NewReader(stunResponse(req, from)))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Type != stunBindingResp || resp.ID != req.ID || resp.Mapped != from {
		t.Errorf("response parsed as %+v, want mapped %s", resp, from)
	}
}

func TestSTUNPrefersXorMapped(t *testing.T) {
	req, _ := parseSTUN(stunRequest([12]byte{}))
	b := stunResponse(req, netip.MustParseAddrPort("198.51.100.1:1000"))
	// Corrupt the plain MAPPED-ADDRESS (the last attribute): the XOR one must win.
	b[len(b)-1] ^= 0xff
	m, err := parseSTUN(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.Mapped != netip.MustParseAddrPort("198.51.100.1:1000") {
		t.Errorf("mapped %s", m.Mapped)
	}
}

func TestSTUNRejects(t *testing.T) {
	good := stunRequest([12]byte{})
	for name, b := range map[string][]byte{
		"short":          good[:19],
		"length too big": append(append([]byte{}, good[:2]...), append([]byte{0, 8}, good[4:]...)...),
		"not STUN":       append([]byte{0xff}, good[1:]...),
		"truncated attr": append(append(append([]byte{}, good[:2]...), 0, 4), append(append([]byte{}, good[4:]...), 0, 1, 0, 8)...),
		"too long":       make([]byte, stunMaxMessage+4),
	} {
		if _, err := parseSTUN(b); !errors.Is(err, errNotSTUN) {
			t.Errorf("%s: err %v, want errNotSTUN", name, err)
		}
	}
}

func FuzzParseSTUN(f *testing.F) {
	req := stunRequest([12]byte{9, 9, 9})
	f.Add(req)
	m, _ := parseSTUN(req)
	f.Add(stunResponse(m, netip.MustParseAddrPort("198.51.100.9:9")))
	f.Add([]byte{0, 1, 0, 4, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseSTUN(b)
		if err != nil {
			return
		}
		if m.Mapped.IsValid() && !m.Mapped.Addr().Is4() {
			t.Errorf("mapped %s is not IPv4", m.Mapped)
		}
		if m2, err := readSTUN(bytes.NewReader(b)); err != nil || m2 != m {
			t.Errorf("stream read disagrees: %+v %v, want %+v", m2, err, m)
		}
	})
}
