package portmap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/url"
	"slices"
	"testing"
)

func FuzzParseSSDP(f *testing.F) {
	f.Add([]byte(ssdpAnswer))
	f.Add([]byte("HTTP/1.1 200 OK\r\nlocation:http://[::1]:1/\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		loc, err := parseSSDP(b)
		if err != nil {
			return
		}
		if len(b) > maxSSDP || loc.Scheme != "http" || !urlAddr(loc).IsValid() {
			t.Errorf("accepted %q: location %v", b, loc)
		}
	})
}

func FuzzParseDescription(f *testing.F) {
	f.Add([]byte(rootDesc), "http://10.0.1.1:5000/rootDesc.xml")
	f.Add([]byte(`<root><URLBase>http://10.0.0.1:1/</URLBase><device><serviceList><service><serviceType>urn:schemas-upnp-org:service:WANPPPConnection:1</serviceType><controlURL>c</controlURL></service></serviceList></device></root>`), "http://10.0.0.1:1/")
	f.Fuzz(func(t *testing.T, b []byte, loc string) {
		u, err := url.Parse(loc)
		if err != nil {
			return
		}
		svcs, err := parseDescription(b, u)
		if err != nil {
			return
		}
		if len(svcs) == 0 || len(svcs) > maxServices {
			t.Fatalf("%d services", len(svcs))
		}
		for _, s := range svcs {
			c, err := url.Parse(s.Control)
			if err != nil || c.Scheme != "http" || urlAddr(c) != urlAddr(u) || !slices.Contains(wanServices, s.Type) {
				t.Errorf("service %+v from a description at %s", s, loc)
			}
		}
	})
}

func FuzzSOAPValue(f *testing.F) {
	f.Add([]byte(soapExternalIP), "NewExternalIPAddress")
	f.Add([]byte(soapFault), "")
	f.Fuzz(func(t *testing.T, b []byte, tag string) {
		v, err := soapValue(b, tag)
		var ue *upnpError
		if err != nil && !errors.Is(err, errNotIGD) && !errors.As(err, &ue) {
			t.Errorf("error of an unknown kind: %v", err)
		}
		if err == nil && tag == "" && v != "" {
			t.Errorf("value %q without a tag", v)
		}
	})
}

// natpmpEncode writes an answer back in the wire format.
func natpmpEncode(a natpmpAnswer) []byte {
	b := make([]byte, 16)
	b[1] = natpmpReply + a.Op
	binary.BigEndian.PutUint32(b[4:], a.Epoch)
	if a.Op == natpmpOpExternal {
		copy(b[8:], a.External.AsSlice())
		return b[:12]
	}
	binary.BigEndian.PutUint16(b[8:], a.Internal)
	binary.BigEndian.PutUint16(b[10:], a.Mapped)
	binary.BigEndian.PutUint32(b[12:], a.Lifetime)
	return b
}

func FuzzParseNATPMP(f *testing.F) {
	f.Add([]byte{0, 128, 0, 0, 0, 0, 0, 9, 198, 51, 100, 10})
	f.Add([]byte{0, 130, 0, 0, 0, 0, 0, 9, 0x1d, 0x18, 0x1d, 0x19, 0, 0, 0x0e, 0x10})
	f.Add([]byte{0, 129, 0, 3, 0, 0, 0, 9})
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := parseNATPMP(b)
		var r natpmpResult
		switch {
		case errors.As(err, &r):
			if r == 0 || a.Op > natpmpOpTCP {
				t.Errorf("refusal %d for opcode %d", r, a.Op)
			}
		case err != nil:
			if !errors.Is(err, errNATPMP) {
				t.Errorf("error of an unknown kind: %v", err)
			}
		default:
			if got := natpmpEncode(a); !bytes.Equal(got, b) {
				t.Errorf("parsed %x as %+v, which encodes as %x", b, a, got)
			}
		}
	})
}

func FuzzParseRoute(f *testing.F) {
	f.Add([]byte(routeTable()))
	f.Add([]byte("eth0\t00000000\t00000000\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		gw, err := parseRoute(b)
		if err == nil && (!gw.Is4() || gw.IsUnspecified()) {
			t.Errorf("gateway %v", gw)
		}
	})
}

// pcpEncode writes an answer back in the wire format, without options and
// with the reserved fields zero.
func pcpEncode(a pcpAnswer) []byte {
	b := make([]byte, pcpHeaderLen, pcpMapAnswer)
	b[0], b[1], b[3] = pcpVersion, pcpReply|a.Op, a.Result
	binary.BigEndian.PutUint32(b[4:], a.Lifetime)
	binary.BigEndian.PutUint32(b[8:], a.Epoch)
	if !a.HasMap {
		return b
	}
	m := make([]byte, pcpMapLen)
	copy(m, a.Nonce[:])
	m[12] = a.Protocol
	binary.BigEndian.PutUint16(m[16:], a.Internal)
	binary.BigEndian.PutUint16(m[18:], a.External.Port())
	ext := a.External.Addr().As16()
	copy(m[20:], ext[:])
	return append(b, m...)
}

func FuzzParsePCP(f *testing.F) {
	f.Add(unhex(f, pcpAnswerHex))
	f.Add(unhex(f, pcpMismatchHex))
	f.Add(append(unhex(f, pcpAnswerHex), 0x80, 0, 0, 3, 1, 2, 3, 0))
	f.Add([]byte{0, 129, 0, 1, 0, 0, 0, 9})
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := parsePCP(b)
		var r pcpResult
		switch {
		case errors.As(err, &r):
			if r == 0 || uint8(r) != a.Result || a.Op != b[1]&^pcpReply {
				t.Errorf("refusal %d in %+v from %x", r, a, b)
			}
		case err != nil:
			if !errors.Is(err, errPCP) && !errors.Is(err, errNoPCP) {
				t.Errorf("error of an unknown kind: %v", err)
			}
		default:
			if len(b) > maxUDPAnswer || len(b)%4 != 0 || (a.Op == pcpOpMap && !a.HasMap) {
				t.Errorf("accepted %x as %+v", b, a)
			}
			// The fields are the bytes at their places, reserved ones aside.
			want := slices.Clone(b[:len(pcpEncode(a))])
			want[2] = 0
			clear(want[12:pcpHeaderLen])
			if a.HasMap {
				clear(want[pcpHeaderLen+13 : pcpHeaderLen+16])
			}
			if got := pcpEncode(a); !bytes.Equal(got, want) {
				t.Errorf("parsed %x as %+v, which encodes as %x", b, a, got)
			}
		}
	})
}
