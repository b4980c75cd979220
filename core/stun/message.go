package stun

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"

	pion "github.com/pion/stun/v3"
)

// MaxMessage is the largest STUN message the server or the client reads
// (RFC 5389's 548-byte minimum MTU budget); anything larger is refused.
const MaxMessage = 548

const (
	headerSize = 20
	magic      = 0x2112A442

	// CHANGE-REQUEST flags (RFC 5780 section 7.2).
	changeIPFlag   = 0x04
	changePortFlag = 0x02

	codeUnknownAttribute = 420
)

// errMalformed means bytes that are not a well-formed STUN message of the
// kind expected.
var errMalformed = errors.New("malformed STUN message")

// IsSTUN reports whether b is framed as a STUN message: the two top bits
// clear, the magic cookie, and a length field that matches len(b). It is
// what a demultiplexer asks; it does not decode the attributes.
func IsSTUN(b []byte) bool {
	if len(b) < headerSize || b[0]&0xc0 != 0 || binary.BigEndian.Uint32(b[4:8]) != magic {
		return false
	}
	n := int(binary.BigEndian.Uint16(b[2:4]))
	return n%4 == 0 && headerSize+n == len(b)
}

// txID is a STUN transaction ID.
type txID = [pion.TransactionIDSize]byte

// request is a decoded Binding request.
type request struct {
	ID         txID
	ChangeIP   bool
	ChangePort bool
}

// response is a decoded Binding response, success or error.
type response struct {
	ID     txID
	OK     bool           // success (true) or error response
	Mapped netip.AddrPort // XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS (success only)
	Code   int            // ERROR-CODE (error only; 0 if absent)
	// Other is the server's OTHER-ADDRESS (RFC 5780 section 7.4): its
	// alternate IP and port, where change requests are answered from.
	// Invalid if absent or malformed (the attribute is optional: a bad one
	// only means the server's RFC 5780 tests are not used).
	Other netip.AddrPort
}

// decode frames and decodes b as a STUN message of at most MaxMessage bytes.
func decode(b []byte) (*pion.Message, error) {
	if len(b) > MaxMessage {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", errMalformed, len(b), MaxMessage)
	}
	if !IsSTUN(b) {
		return nil, fmt.Errorf("%w: bad framing", errMalformed)
	}
	m := &pion.Message{Raw: append([]byte(nil), b...)}
	if err := m.Decode(); err != nil {
		return nil, fmt.Errorf("%w: %w", errMalformed, err)
	}
	return m, nil
}

// parseRequest decodes a Binding request. Other methods and classes are
// errors; a CHANGE-REQUEST attribute must be exactly 4 bytes.
func parseRequest(b []byte) (request, error) {
	m, err := decode(b)
	if err != nil {
		return request{}, err
	}
	if m.Type != pion.BindingRequest {
		return request{}, fmt.Errorf("%w: type %s is not a binding request", errMalformed, m.Type)
	}
	r := request{ID: m.TransactionID}
	if v, err := m.Get(pion.AttrChangeRequest); err == nil {
		if len(v) != 4 {
			return request{}, fmt.Errorf("%w: CHANGE-REQUEST of %d bytes", errMalformed, len(v))
		}
		flags := binary.BigEndian.Uint32(v)
		r.ChangeIP, r.ChangePort = flags&changeIPFlag != 0, flags&changePortFlag != 0
	}
	return r, nil
}

// parseResponse decodes a Binding success or error response.
func parseResponse(b []byte) (response, error) {
	m, err := decode(b)
	if err != nil {
		return response{}, err
	}
	r := response{ID: m.TransactionID}
	switch m.Type {
	case pion.BindingSuccess:
		r.OK = true
		r.Mapped, err = mappedAddress(m)
		if err != nil {
			return response{}, err
		}
		r.Other = otherAddress(m)
	case pion.BindingError:
		var ec pion.ErrorCodeAttribute
		if err := ec.GetFrom(m); err == nil {
			r.Code = int(ec.Code)
		}
	default:
		return response{}, fmt.Errorf("%w: type %s is not a binding response", errMalformed, m.Type)
	}
	return r, nil
}

// mappedAddress reads XOR-MAPPED-ADDRESS, or MAPPED-ADDRESS when the former
// is absent, insisting on exact attribute sizes.
func mappedAddress(m *pion.Message) (netip.AddrPort, error) {
	if v, err := m.Get(pion.AttrXORMappedAddress); err == nil {
		if !addrSizeOK(v) {
			return netip.AddrPort{}, fmt.Errorf("%w: XOR-MAPPED-ADDRESS of %d bytes", errMalformed, len(v))
		}
		var a pion.XORMappedAddress
		if err := a.GetFrom(m); err != nil {
			return netip.AddrPort{}, fmt.Errorf("%w: XOR-MAPPED-ADDRESS: %w", errMalformed, err)
		}
		return toAddrPort(a.IP, a.Port)
	}
	if v, err := m.Get(pion.AttrMappedAddress); err == nil {
		if !addrSizeOK(v) {
			return netip.AddrPort{}, fmt.Errorf("%w: MAPPED-ADDRESS of %d bytes", errMalformed, len(v))
		}
		var a pion.MappedAddress
		if err := a.GetFrom(m); err != nil {
			return netip.AddrPort{}, fmt.Errorf("%w: MAPPED-ADDRESS: %w", errMalformed, err)
		}
		return toAddrPort(a.IP, a.Port)
	}
	return netip.AddrPort{}, fmt.Errorf("%w: success response without a mapped address", errMalformed)
}

// otherAddress reads OTHER-ADDRESS (encoded as MAPPED-ADDRESS is), or
// returns an invalid address if it is absent, malformed or unusable.
func otherAddress(m *pion.Message) netip.AddrPort {
	v, err := m.Get(pion.AttrOtherAddress)
	if err != nil || !addrSizeOK(v) {
		return netip.AddrPort{}
	}
	var a pion.OtherAddress
	if err := a.GetFrom(m); err != nil {
		return netip.AddrPort{}
	}
	ap, err := toAddrPort(a.IP, a.Port)
	if err != nil || !sendable(ap) {
		return netip.AddrPort{}
	}
	return ap
}

// addrSizeOK checks an address attribute's length against its family.
func addrSizeOK(v []byte) bool {
	if len(v) < 4 {
		return false
	}
	switch binary.BigEndian.Uint16(v[0:2]) {
	case 1:
		return len(v) == 8
	case 2:
		return len(v) == 20
	}
	return false
}

func toAddrPort(ip net.IP, port int) (netip.AddrPort, error) {
	a, ok := netip.AddrFromSlice(ip)
	if !ok || port <= 0 || port > 0xffff {
		return netip.AddrPort{}, fmt.Errorf("%w: address %v port %d", errMalformed, ip, port)
	}
	return netip.AddrPortFrom(a.Unmap(), uint16(port)), nil
}

// buildRequest encodes a Binding request, with a CHANGE-REQUEST attribute
// when either flag is set.
func buildRequest(id txID, changeIP, changePort bool) []byte {
	m := new(pion.Message)
	m.SetType(pion.BindingRequest)
	m.TransactionID = id
	m.WriteHeader()
	if changeIP || changePort {
		var flags uint32
		if changeIP {
			flags |= changeIPFlag
		}
		if changePort {
			flags |= changePortFlag
		}
		m.Add(pion.AttrChangeRequest, binary.BigEndian.AppendUint32(nil, flags))
	}
	// A server answers no request shorter than its answer (a forged source
	// must not make it an amplifier), and the longest answer is a success
	// with an IPv6 address: 44 bytes. SOFTWARE is comprehension-optional,
	// so any STUN server accepts it.
	m.Add(pion.AttrSoftware, []byte(requestSoftware))
	return m.Raw
}

// requestSoftware is the SOFTWARE attribute of every request: 20 bytes,
// which make a plain Binding request 44 bytes long.
const requestSoftware = "tincan nat detection"

// buildSuccess encodes a Binding success response telling to its address.
func buildSuccess(id txID, to netip.AddrPort) []byte {
	m := new(pion.Message)
	m.SetType(pion.BindingSuccess)
	m.TransactionID = id
	m.WriteHeader()
	a := pion.XORMappedAddress{IP: to.Addr().Unmap().AsSlice(), Port: int(to.Port())}
	// AddTo fails only for an IP of a bad length, which AsSlice never gives.
	_ = a.AddTo(m)
	return m.Raw
}

// buildError encodes a Binding error response (with a one-letter reason, to
// stay small), naming unknown when the error is 420.
func buildError(id txID, code int, unknown ...pion.AttrType) []byte {
	m := new(pion.Message)
	m.SetType(pion.BindingError)
	m.TransactionID = id
	m.WriteHeader()
	_ = pion.ErrorCodeAttribute{Code: pion.ErrorCode(code), Reason: []byte("-")}.AddTo(m)
	if len(unknown) > 0 {
		_ = pion.UnknownAttributes(unknown).AddTo(m)
	}
	return m.Raw
}
