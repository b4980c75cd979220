package link

import (
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
)

// The link hello each side sends right after the TLS handshake:
//
//	version u8 | body length u8 | listen port u16 | observed IP [16] | observed port u16 | flags u8
//
// The observed address is the other side's address as the sender sees it
// (IPv4 as an IPv4-mapped IPv6 address, all zeros when unknown). The flags
// byte came after the first release: a 20-byte body, as those nodes send,
// has flags 0. A body longer than the sender's is accepted up to
// maxHelloBody and the rest ignored, so later fields can be added without
// a new version.
const (
	helloVersion   = 1
	helloBodyV1    = 20 // the shortest body: no flags
	helloBodyFlags = 21 // the body this version sends
	maxHelloBody   = 64
	helloHeader    = 2
	maxHelloBytes  = helloHeader + maxHelloBody
)

// Hello flag bits; bits not defined here are kept but mean nothing yet.
const (
	flagServesRelay uint8 = 1 << 0 // the sender splices streams for other nodes
	// flagProbe: the sender only checks who answers (and where it is seen)
	// and hangs up; the receiver does not register the link, so a probe
	// never displaces a link in use. Older nodes ignore it.
	flagProbe uint8 = 1 << 1
)

// hello is what one side of a link tells the other.
type hello struct {
	Port     uint16         // the port the sender accepts links on; 0 if none
	Observed netip.AddrPort // the receiver's address as the sender sees it; invalid if unknown
	Flags    uint8          // flag bits; 0 from a sender without the flags byte
}

// appendHello appends h's wire form to b.
func appendHello(b []byte, h hello) []byte {
	b = append(b, helloVersion, helloBodyFlags)
	b = binary.BigEndian.AppendUint16(b, h.Port)
	var ip [16]byte
	var port uint16
	if known(h.Observed) {
		ip, port = h.Observed.Addr().As16(), h.Observed.Port()
	}
	b = append(b, ip[:]...)
	b = binary.BigEndian.AppendUint16(b, port)
	return append(b, h.Flags)
}

// known reports whether a is an address worth telling: a real IP and port.
func known(a netip.AddrPort) bool {
	return a.IsValid() && !a.Addr().IsUnspecified() && a.Port() != 0
}

// checkHelloHeader checks a hello's first two bytes and returns its body length.
func checkHelloHeader(hdr [helloHeader]byte) (int, error) {
	if hdr[0] != helloVersion {
		return 0, fmt.Errorf("%w: version %d, want %d", ErrBadHello, hdr[0], helloVersion)
	}
	n := int(hdr[1])
	if n < helloBodyV1 || n > maxHelloBody {
		return 0, fmt.Errorf("%w: body of %d bytes, want %d to %d", ErrBadHello, n, helloBodyV1, maxHelloBody)
	}
	return n, nil
}

// parseHelloBody decodes a hello body whose length checkHelloHeader accepted.
func parseHelloBody(body []byte) hello {
	h := hello{Port: binary.BigEndian.Uint16(body[0:2])}
	ip := netip.AddrFrom16([16]byte(body[2:18])).Unmap()
	if a := netip.AddrPortFrom(ip, binary.BigEndian.Uint16(body[18:20])); known(a) {
		h.Observed = a
	}
	if len(body) > helloBodyV1 {
		h.Flags = body[helloBodyV1]
	}
	return h
}

// parseHello decodes one whole hello; b must hold exactly one.
func parseHello(b []byte) (hello, error) {
	if len(b) < helloHeader {
		return hello{}, fmt.Errorf("%w: %d bytes", ErrBadHello, len(b))
	}
	n, err := checkHelloHeader([helloHeader]byte(b[:helloHeader]))
	if err != nil {
		return hello{}, err
	}
	if len(b) != helloHeader+n {
		return hello{}, fmt.Errorf("%w: %d bytes for a body of %d", ErrBadHello, len(b), n)
	}
	return parseHelloBody(b[helloHeader:]), nil
}

// readHello reads one hello from r, never more than maxHelloBytes.
func readHello(r io.Reader) (hello, error) {
	var hdr [helloHeader]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return hello{}, fmt.Errorf("read hello header: %w", err)
	}
	n, err := checkHelloHeader(hdr)
	if err != nil {
		return hello{}, err
	}
	var body [maxHelloBody]byte
	if _, err := io.ReadFull(r, body[:n]); err != nil {
		return hello{}, fmt.Errorf("read hello body: %w", err)
	}
	return parseHelloBody(body[:n]), nil
}
