package natlab

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
)

// A minimal STUN (RFC 5389) binding request/response: enough for the lab's
// probes to learn their mapped address, and for miniupnpd to learn the
// router's public address. Nothing else of STUN is spoken.
//
// Independent of core/stun on purpose: the lab's plain-socket probes check
// that each NAT kind behaves as named, and its STUN servers are what the
// daemons classify against; built on the code under test, a bug in
// core/stun's codec could make both the lab's check and the node's
// classification agree on a wrong answer. (The RFC 5780 check against
// coturn, core/stun's coturn_test.go, is the other independent witness.)
const (
	stunHeader       = 20
	stunMaxMessage   = 548 // the largest message the lab reads or writes
	stunMagic        = 0x2112A442
	stunBindingReq   = 0x0001
	stunBindingResp  = 0x0101
	stunMappedAddr   = 0x0001
	stunXorMapped    = 0x0020
	stunFamilyIPv4   = 0x01
	stunAttrIPv4Size = 8
)

// errNotSTUN means bytes that are not a STUN message the lab understands.
var errNotSTUN = errors.New("not a STUN message")

// stunMessage is a parsed STUN message.
type stunMessage struct {
	Type   uint16
	ID     [16]byte // magic cookie and transaction ID, as on the wire
	Mapped netip.AddrPort
}

// stunRequest builds a binding request with transaction ID id.
func stunRequest(id [12]byte) []byte {
	b := make([]byte, stunHeader)
	binary.BigEndian.PutUint16(b[0:], stunBindingReq)
	binary.BigEndian.PutUint32(b[4:], stunMagic)
	copy(b[8:], id[:])
	return b
}

// stunResponse answers a request (cookie and ID copied) with the address the
// request came from, as XOR-MAPPED-ADDRESS and MAPPED-ADDRESS (IPv4 only).
func stunResponse(req stunMessage, from netip.AddrPort) []byte {
	b := make([]byte, stunHeader, stunHeader+2*(4+stunAttrIPv4Size))
	binary.BigEndian.PutUint16(b[0:], stunBindingResp)
	copy(b[4:], req.ID[:])
	ip4 := from.Addr().Unmap().As4()
	ip := binary.BigEndian.Uint32(ip4[:])
	b = appendAddrAttr(b, stunXorMapped, from.Port()^uint16(stunMagic>>16), ip^stunMagic)
	b = appendAddrAttr(b, stunMappedAddr, from.Port(), ip)
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)-stunHeader))
	return b
}

func appendAddrAttr(b []byte, typ, port uint16, ip uint32) []byte {
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, stunAttrIPv4Size)
	b = append(b, 0, stunFamilyIPv4)
	b = binary.BigEndian.AppendUint16(b, port)
	return binary.BigEndian.AppendUint32(b, ip)
}

// parseSTUN reads one STUN message; unknown attributes are skipped, and the
// mapped address is taken from XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS.
func parseSTUN(b []byte) (stunMessage, error) {
	var m stunMessage
	if len(b) < stunHeader || len(b) > stunMaxMessage || b[0]&0xc0 != 0 {
		return m, errNotSTUN
	}
	m.Type = binary.BigEndian.Uint16(b[0:])
	n := int(binary.BigEndian.Uint16(b[2:]))
	if n%4 != 0 || stunHeader+n != len(b) {
		return m, fmt.Errorf("%w: length %d in %d bytes", errNotSTUN, n, len(b))
	}
	copy(m.ID[:], b[4:stunHeader])
	var plain netip.AddrPort
	for rest := b[stunHeader:]; len(rest) > 0; {
		if len(rest) < 4 {
			return m, fmt.Errorf("%w: truncated attribute", errNotSTUN)
		}
		typ, size := binary.BigEndian.Uint16(rest[0:]), int(binary.BigEndian.Uint16(rest[2:]))
		padded := (size + 3) &^ 3
		if 4+padded > len(rest) {
			return m, fmt.Errorf("%w: attribute 0x%04x overruns the message", errNotSTUN, typ)
		}
		val := rest[4 : 4+size]
		switch typ {
		case stunXorMapped:
			if ap, ok := parseAddrAttr(val); ok {
				ip := ap.Addr().As4()
				x := binary.BigEndian.Uint32(ip[:]) ^ stunMagic
				binary.BigEndian.PutUint32(ip[:], x)
				m.Mapped = netip.AddrPortFrom(netip.AddrFrom4(ip), ap.Port()^uint16(stunMagic>>16))
			}
		case stunMappedAddr:
			if ap, ok := parseAddrAttr(val); ok {
				plain = ap
			}
		}
		rest = rest[4+padded:]
	}
	if !m.Mapped.IsValid() {
		m.Mapped = plain
	}
	return m, nil
}

func parseAddrAttr(v []byte) (netip.AddrPort, bool) {
	if len(v) != stunAttrIPv4Size || v[1] != stunFamilyIPv4 {
		return netip.AddrPort{}, false
	}
	ip := netip.AddrFrom4([4]byte(v[4:8]))
	return netip.AddrPortFrom(ip, binary.BigEndian.Uint16(v[2:])), true
}

// readSTUN reads one STUN message from a stream (STUN over TCP).
func readSTUN(r io.Reader) (stunMessage, error) {
	buf := make([]byte, stunMaxMessage)
	if _, err := io.ReadFull(r, buf[:stunHeader]); err != nil {
		return stunMessage{}, fmt.Errorf("read STUN header: %w", err)
	}
	n := int(binary.BigEndian.Uint16(buf[2:]))
	if stunHeader+n > len(buf) {
		return stunMessage{}, fmt.Errorf("%w: %d bytes is too long", errNotSTUN, n)
	}
	if _, err := io.ReadFull(r, buf[stunHeader:stunHeader+n]); err != nil {
		return stunMessage{}, fmt.Errorf("read STUN body: %w", err)
	}
	return parseSTUN(buf[:stunHeader+n])
}
