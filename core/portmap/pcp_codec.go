package portmap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// PCP wire constants (RFC 6887).
const (
	pcpPort      = 5351
	pcpVersion   = 2
	pcpOpMap     = 1
	pcpReply     = 0x80 // the R bit of the opcode byte
	pcpHeaderLen = 24
	pcpMapLen    = 36
	pcpProtoTCP  = 6
	pcpProtoUDP  = 17
	pcpMinAnswer = pcpHeaderLen
	pcpMapAnswer = pcpHeaderLen + pcpMapLen
	pcpMaxAnswer = maxUDPAnswer
)

// errPCP means a datagram that is not a PCP answer.
var errPCP = errors.New("not a PCP answer")

// errNoPCP means the router answered in another version: version 0 is a
// NAT-PMP-only server (RFC 6887, section 9), and we speak only version 2.
var errNoPCP = errors.New("the router does not speak PCP version 2")

// pcpResult is a non-zero PCP result code: the router refused.
type pcpResult uint8

func (r pcpResult) Error() string {
	names := [...]string{1: "UNSUPP_VERSION", 2: "NOT_AUTHORIZED", 3: "MALFORMED_REQUEST", 4: "UNSUPP_OPCODE",
		5: "UNSUPP_OPTION", 6: "MALFORMED_OPTION", 7: "NETWORK_FAILURE", 8: "NO_RESOURCES", 9: "UNSUPP_PROTOCOL",
		10: "USER_EX_QUOTA", 11: "CANNOT_PROVIDE_EXTERNAL", 12: "ADDRESS_MISMATCH", 13: "EXCESSIVE_REMOTE_PEERS"}
	if int(r) < len(names) && names[r] != "" {
		return fmt.Sprintf("PCP result %d (%s)", uint8(r), names[r])
	}
	return fmt.Sprintf("PCP result %d", uint8(r))
}

// pcpNonce identifies one mapping to the server; it stays the same across
// the mapping's renewals and its deletion.
type pcpNonce [12]byte

// pcpAnswer is a decoded PCP version 2 answer.
type pcpAnswer struct {
	Op       byte   // the request's opcode (the R bit cleared)
	Result   uint8  // 0: success
	Lifetime uint32 // seconds the mapping (or, for a refusal, the error) holds
	Epoch    uint32 // seconds since the server's mapping state started
	// The MAP fields, present if HasMap.
	HasMap   bool
	Nonce    pcpNonce
	Protocol byte
	Internal uint16
	External netip.AddrPort // the assigned port and address as sent (IPv4-mapped for IPv4)
}

// pcpMapRequest asks to map (or, with lifetime 0, unmap) an internal port of
// self (an IPv4 address, sent IPv4-mapped) for protocol proto, suggesting
// the external address and port ext (an invalid address: any).
func pcpMapRequest(nonce pcpNonce, proto byte, self netip.Addr, internal uint16, ext netip.AddrPort, lifetime uint32) []byte {
	b := make([]byte, pcpHeaderLen+pcpMapLen)
	b[0], b[1] = pcpVersion, pcpOpMap
	binary.BigEndian.PutUint32(b[4:], lifetime)
	a := self.Unmap().As16()
	copy(b[8:24], a[:])
	m := b[pcpHeaderLen:]
	copy(m[0:12], nonce[:])
	m[12] = proto
	binary.BigEndian.PutUint16(m[16:], internal)
	binary.BigEndian.PutUint16(m[18:], ext.Port())
	sugg := netip.IPv4Unspecified()
	if ext.Addr().IsValid() {
		sugg = ext.Addr().Unmap()
	}
	a = sugg.As16()
	copy(m[20:36], a[:])
	return b
}

// parsePCP decodes an answer of at most pcpMaxAnswer bytes. A refusal comes
// back as a pcpResult error together with the answer, so the caller can
// match it to its request; an answer in another version is errNoPCP.
func parsePCP(b []byte) (pcpAnswer, error) {
	if len(b) < 4 || len(b) > pcpMaxAnswer || b[1]&pcpReply == 0 {
		return pcpAnswer{}, fmt.Errorf("%w: %d bytes", errPCP, len(b))
	}
	switch {
	case b[0] == natpmpVersion:
		return pcpAnswer{}, fmt.Errorf("%w: a NAT-PMP answer (version 0)", errNoPCP)
	case b[0] != pcpVersion && len(b) >= pcpMinAnswer && b[3] == 1: // UNSUPP_VERSION
		return pcpAnswer{}, fmt.Errorf("%w: the server speaks version %d", errNoPCP, b[0])
	case b[0] != pcpVersion || len(b) < pcpMinAnswer || len(b)%4 != 0:
		return pcpAnswer{}, fmt.Errorf("%w: version %d, %d bytes", errPCP, b[0], len(b))
	}
	a := pcpAnswer{Op: b[1] &^ pcpReply, Result: b[3],
		Lifetime: binary.BigEndian.Uint32(b[4:]), Epoch: binary.BigEndian.Uint32(b[8:])}
	if a.Op == pcpOpMap && len(b) >= pcpMapAnswer {
		m := b[pcpHeaderLen:]
		a.HasMap = true
		a.Nonce = pcpNonce(m[0:12])
		a.Protocol = m[12]
		a.Internal = binary.BigEndian.Uint16(m[16:])
		a.External = netip.AddrPortFrom(netip.AddrFrom16([16]byte(m[20:36])), binary.BigEndian.Uint16(m[18:]))
		if err := pcpOptions(b[pcpMapAnswer:]); err != nil {
			return pcpAnswer{}, err
		}
	}
	if a.Result != 0 {
		return a, pcpResult(a.Result)
	}
	if a.Op == pcpOpMap && !a.HasMap {
		return pcpAnswer{}, fmt.Errorf("%w: a MAP success of %d bytes", errPCP, len(b))
	}
	return a, nil
}

// pcpOptions checks the framing of the options after an answer's opcode
// fields (RFC 6887, section 7.3); we send none and use none of them.
func pcpOptions(b []byte) error {
	for len(b) > 0 {
		if len(b) < 4 {
			return fmt.Errorf("%w: %d bytes of options left", errPCP, len(b))
		}
		n := 4 + (int(binary.BigEndian.Uint16(b[2:]))+3)&^3
		if n > len(b) {
			return fmt.Errorf("%w: option %d of %d bytes in %d", errPCP, b[0], n, len(b))
		}
		b = b[n:]
	}
	return nil
}
