package portmap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// NAT-PMP wire constants (RFC 6886).
const (
	natpmpPort       = 5351
	natpmpVersion    = 0
	natpmpOpExternal = 0
	natpmpOpUDP      = 1
	natpmpOpTCP      = 2
	natpmpReply      = 128
)

// errNATPMP means an answer that is not a NAT-PMP answer to our request.
var errNATPMP = errors.New("not a NAT-PMP answer")

// natpmpResult is a non-zero NAT-PMP result code: the router refused.
type natpmpResult uint16

func (r natpmpResult) Error() string {
	names := map[natpmpResult]string{1: "unsupported version", 2: "not authorized or refused",
		3: "network failure", 4: "out of resources", 5: "unsupported opcode"}
	if n, ok := names[r]; ok {
		return fmt.Sprintf("NAT-PMP result %d (%s)", uint16(r), n)
	}
	return fmt.Sprintf("NAT-PMP result %d", uint16(r))
}

// natpmpAnswer is a decoded NAT-PMP answer.
type natpmpAnswer struct {
	Op       byte       // the request's opcode (the answer's minus 128)
	Epoch    uint32     // seconds since the router's mapping table started
	External netip.Addr // opcode 0
	Internal uint16     // opcodes 1 and 2
	Mapped   uint16     // opcodes 1 and 2: the external port
	Lifetime uint32     // opcodes 1 and 2: seconds
}

// natpmpExternalRequest asks for the router's public address.
func natpmpExternalRequest() []byte { return []byte{natpmpVersion, natpmpOpExternal} }

// natpmpMapRequest asks to map (or, with lifetime 0, unmap) an internal port.
func natpmpMapRequest(op byte, internal, suggested uint16, lifetime uint32) []byte {
	b := make([]byte, 12)
	b[0], b[1] = natpmpVersion, op
	binary.BigEndian.PutUint16(b[4:], internal)
	binary.BigEndian.PutUint16(b[6:], suggested)
	binary.BigEndian.PutUint32(b[8:], lifetime)
	return b
}

// parseNATPMP decodes an answer. A refusal comes back as a natpmpResult
// error together with the opcode, so the caller can match it to its request.
func parseNATPMP(b []byte) (natpmpAnswer, error) {
	if len(b) < 8 || len(b) > maxUDPAnswer {
		return natpmpAnswer{}, fmt.Errorf("%w: %d bytes", errNATPMP, len(b))
	}
	if b[0] != natpmpVersion || b[1] < natpmpReply || b[1] > natpmpReply+natpmpOpTCP {
		return natpmpAnswer{}, fmt.Errorf("%w: version %d opcode %d", errNATPMP, b[0], b[1])
	}
	a := natpmpAnswer{Op: b[1] - natpmpReply, Epoch: binary.BigEndian.Uint32(b[4:])}
	if r := binary.BigEndian.Uint16(b[2:]); r != 0 {
		return a, natpmpResult(r)
	}
	switch a.Op {
	case natpmpOpExternal:
		if len(b) != 12 {
			return natpmpAnswer{}, fmt.Errorf("%w: external-address answer of %d bytes", errNATPMP, len(b))
		}
		a.External = netip.AddrFrom4([4]byte(b[8:12]))
	default:
		if len(b) != 16 {
			return natpmpAnswer{}, fmt.Errorf("%w: mapping answer of %d bytes", errNATPMP, len(b))
		}
		a.Internal = binary.BigEndian.Uint16(b[8:])
		a.Mapped = binary.BigEndian.Uint16(b[10:])
		a.Lifetime = binary.BigEndian.Uint32(b[12:])
	}
	return a, nil
}
