package link

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

func TestHelloRoundTrip(t *testing.T) {
	for _, h := range []hello{
		{},
		{Port: 4000},
		{Port: 1, Observed: netip.MustParseAddrPort("203.0.113.7:51000")},
		{Port: 65535, Observed: netip.MustParseAddrPort("[2001:db8::1]:443")},
		{Port: 7, Flags: flagServesRelay},
		{Port: 8, Observed: netip.MustParseAddrPort("198.51.100.3:9"), Flags: 0xff},
	} {
		b := appendHello(nil, h)
		if len(b) != helloHeader+helloBodyFlags {
			t.Errorf("%+v: %d bytes", h, len(b))
		}
		got, err := parseHello(b)
		if err != nil || got != h {
			t.Errorf("%+v: parsed %+v, %v", h, got, err)
		}
		got, err = readHello(bytes.NewReader(b))
		if err != nil || got != h {
			t.Errorf("%+v: read %+v, %v", h, got, err)
		}
	}
	// An IPv4 address travels mapped and comes back plain.
	b := appendHello(nil, hello{Observed: netip.MustParseAddrPort("[::ffff:10.0.0.1]:9")})
	if got, _ := parseHello(b); got.Observed != netip.MustParseAddrPort("10.0.0.1:9") {
		t.Errorf("mapped address parsed as %v", got.Observed)
	}
}

// TestHelloWithoutFlags checks that a 20-byte body, as nodes from before
// the flags byte send, still parses, with no flags.
func TestHelloWithoutFlags(t *testing.T) {
	want := hello{Port: 4000, Observed: netip.MustParseAddrPort("203.0.113.7:51000")}
	b := appendHello(nil, hello{Port: want.Port, Observed: want.Observed, Flags: flagServesRelay})
	old := append([]byte{helloVersion, helloBodyV1}, b[helloHeader:helloHeader+helloBodyV1]...)
	got, err := parseHello(old)
	if err != nil || got != want {
		t.Errorf("20-byte body: parsed %+v, %v; want %+v", got, err, want)
	}
	got, err = readHello(bytes.NewReader(old))
	if err != nil || got != want {
		t.Errorf("20-byte body: read %+v, %v; want %+v", got, err, want)
	}
}

func TestHelloRejects(t *testing.T) {
	good := appendHello(nil, hello{Port: 7, Flags: flagServesRelay})
	longer := append(append([]byte{helloVersion, maxHelloBody}, good[2:]...), make([]byte, maxHelloBody-helloBodyFlags)...)
	if h, err := parseHello(longer); err != nil || h.Port != 7 || h.Flags != flagServesRelay {
		t.Errorf("a longer body with room for later fields: %+v, %v", h, err)
	}
	for name, b := range map[string][]byte{
		"empty":      nil,
		"version 0":  append([]byte{0}, good[1:]...),
		"version 2":  append([]byte{2}, good[1:]...),
		"short body": append([]byte{helloVersion, helloBodyV1 - 1}, good[2:2+helloBodyV1-1]...),
		"over limit": append([]byte{helloVersion, maxHelloBody + 1}, make([]byte, maxHelloBody+1)...),
		"truncated":  good[:len(good)-1],
		"trailing":   append(append([]byte(nil), good...), 0),
	} {
		if _, err := parseHello(b); !errors.Is(err, ErrBadHello) {
			t.Errorf("%s: err %v, want ErrBadHello", name, err)
		}
	}
	// The reader stops at the limit: the length byte cannot make it read more.
	over := append([]byte{helloVersion, 255}, make([]byte, 300)...)
	r := bytes.NewReader(over)
	if _, err := readHello(r); !errors.Is(err, ErrBadHello) {
		t.Errorf("over-long body read: %v", err)
	}
	if r.Len() != len(over)-helloHeader {
		t.Errorf("reader consumed %d bytes past the header", len(over)-helloHeader-r.Len())
	}
}

// FuzzHello feeds arbitrary bytes to the link hello decoder: it must never
// panic, the stream reader must agree with the whole-buffer parser, and
// whatever parses must re-encode to a hello that parses the same.
func FuzzHello(f *testing.F) {
	f.Add(appendHello(nil, hello{}))
	f.Add(appendHello(nil, hello{Port: 4000, Observed: netip.MustParseAddrPort("198.51.100.2:4000")}))
	f.Add(appendHello(nil, hello{Port: 1, Observed: netip.MustParseAddrPort("[2001:db8::2]:1")}))
	f.Add(appendHello(nil, hello{Port: 2, Flags: flagServesRelay}))
	f.Add(appendHello(nil, hello{Port: 3, Flags: 0xfe})[:helloHeader+helloBodyV1]) // header says 21, 20 sent
	f.Add(append([]byte{helloVersion, helloBodyV1}, appendHello(nil, hello{Port: 4})[helloHeader:helloHeader+helloBodyV1]...))
	f.Add([]byte{helloVersion, maxHelloBody + 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := parseHello(data)
		rh, rerr := readHello(bytes.NewReader(data))
		if err == nil {
			if rerr != nil || rh != h {
				t.Fatalf("parse gave %+v, read gave %+v, %v", h, rh, rerr)
			}
			if h.Observed.IsValid() && !known(h.Observed) {
				t.Fatalf("parsed an unknown observed address as valid: %v", h.Observed)
			}
			again, err := parseHello(appendHello(nil, h))
			if err != nil || again != h {
				t.Fatalf("%+v re-encodes to %+v, %v", h, again, err)
			}
			return
		}
		if rerr == nil && len(data) > 1 && int(data[1])+helloHeader == len(data) {
			t.Fatalf("read accepted what parse refused: %v", err)
		}
	})
}
