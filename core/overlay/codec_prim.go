package overlay

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// Errors of encoding and decoding. Every decoding error matches ErrMalformed
// or ErrTooLarge.
var (
	ErrMalformed = errors.New("overlay: malformed message")
	ErrTooLarge  = errors.New("overlay: message too large")
)

// Address families on the wire.
const (
	famNone = 0
	famIPv4 = 4
	famIPv6 = 6
)

// encoder appends fields; the first failure sticks in err.
type encoder struct {
	b   []byte
	err error
}

func (e *encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("encode: "+format, args...)
	}
}

func (e *encoder) u8(v uint8)    { e.b = append(e.b, v) }
func (e *encoder) u32(v uint32)  { e.b = binary.BigEndian.AppendUint32(e.b, v) }
func (e *encoder) u64(v uint64)  { e.b = binary.BigEndian.AppendUint64(e.b, v) }
func (e *encoder) i64(v int64)   { e.u64(uint64(v)) }
func (e *encoder) raw(b []byte)  { e.b = append(e.b, b...) }
func (e *encoder) guid(g GUID)   { e.raw(g[:]) }
func (e *encoder) nonce(n Nonce) { e.raw(n[:]) }

// count writes a list length after checking it against limit.
func (e *encoder) count(field string, n, limit int) {
	if n > limit {
		e.fail("%s: %d items, at most %d", field, n, limit)
	}
	e.u8(uint8(n))
}

// bytes writes b with a uint16 length after checking 1 <= len(b) <= limit.
func (e *encoder) bytes(field string, b []byte, limit int) {
	if len(b) == 0 || len(b) > limit {
		e.fail("%s: %d bytes, want 1 to %d", field, len(b), limit)
	}
	e.b = binary.BigEndian.AppendUint16(e.b, uint16(len(b)))
	e.raw(b)
}

// ttl writes a hop count after checking 1 <= v <= MaxTTL.
func (e *encoder) ttl(v uint8) {
	if v == 0 || v > MaxTTL {
		e.fail("ttl %d, want 1 to %d", v, MaxTTL)
	}
	e.u8(v)
}

// addr writes an address; the zero AddrPort is allowed only when optional.
func (e *encoder) addr(a netip.AddrPort, optional bool) {
	if !a.IsValid() {
		if !optional {
			e.fail("missing address")
		}
		e.u8(famNone)
		return
	}
	if a.Port() == 0 {
		e.fail("address %s has port 0", a)
	}
	ip := a.Addr().Unmap()
	if ip.Is4() {
		e.u8(famIPv4)
		v := ip.As4()
		e.raw(v[:])
	} else {
		e.u8(famIPv6)
		v := ip.As16()
		e.raw(v[:])
	}
	e.b = binary.BigEndian.AppendUint16(e.b, a.Port())
}

func (e *encoder) peer(p Peer) {
	if p.GUID.IsZero() {
		e.fail("peer with zero GUID")
	}
	e.guid(p.GUID)
	e.addr(p.Addr, false)
}

// decoder reads fields; the first failure sticks in err. Byte fields are
// copied, so a decoded message never aliases the input.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
	}
}

func (d *decoder) take(field string, n int) []byte {
	if d.err != nil {
		return nil
	}
	if len(d.b) < n {
		d.fail("%s: need %d bytes, have %d", field, n, len(d.b))
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) u8(field string) uint8 {
	if v := d.take(field, 1); v != nil {
		return v[0]
	}
	return 0
}

func (d *decoder) u16(field string) uint16 {
	if v := d.take(field, 2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (d *decoder) u32(field string) uint32 {
	if v := d.take(field, 4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (d *decoder) u64(field string) uint64 {
	if v := d.take(field, 8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// time reads Unix milliseconds, which must not be negative.
func (d *decoder) time(field string) int64 {
	v := int64(d.u64(field))
	if v < 0 {
		d.fail("%s: negative time", field)
		return 0
	}
	return v
}

func (d *decoder) fixed(field string, dst []byte) { copy(dst, d.take(field, len(dst))) }

func (d *decoder) guid(field string) (g GUID) {
	d.fixed(field, g[:])
	return g
}

func (d *decoder) nonce() (n Nonce) {
	d.fixed("nonce", n[:])
	return n
}

func (d *decoder) count(field string, limit int) int {
	n := int(d.u8(field))
	if n > limit {
		d.fail("%s: %d items, at most %d", field, n, limit)
		return 0
	}
	return n
}

// bytes reads a uint16-length field of 1 to limit bytes and copies it.
func (d *decoder) bytes(field string, limit int) []byte {
	n := int(d.u16(field))
	if d.err != nil {
		return nil
	}
	if n == 0 || n > limit {
		d.fail("%s: %d bytes, want 1 to %d", field, n, limit)
		return nil
	}
	v := d.take(field, n)
	if v == nil {
		return nil
	}
	return append([]byte(nil), v...)
}

func (d *decoder) ttl() uint8 {
	v := d.u8("ttl")
	if d.err == nil && (v == 0 || v > MaxTTL) {
		d.fail("ttl %d, want 1 to %d", v, MaxTTL)
	}
	return v
}

func (d *decoder) addr(field string, optional bool) netip.AddrPort {
	var ip netip.Addr
	switch fam := d.u8(field); fam {
	case famNone:
		if !optional && d.err == nil {
			d.fail("%s: missing address", field)
		}
		return netip.AddrPort{}
	case famIPv4:
		var v [4]byte
		d.fixed(field, v[:])
		ip = netip.AddrFrom4(v)
	case famIPv6:
		var v [16]byte
		d.fixed(field, v[:])
		ip = netip.AddrFrom16(v)
		if ip.Is4In6() {
			d.fail("%s: IPv4-mapped address sent as IPv6", field)
		}
	default:
		d.fail("%s: address family %d", field, fam)
	}
	port := d.u16(field)
	if d.err != nil {
		return netip.AddrPort{}
	}
	if port == 0 {
		d.fail("%s: port 0", field)
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(ip, port)
}

func (d *decoder) peer() Peer {
	p := Peer{GUID: d.guid("peer guid")}
	if d.err == nil && p.GUID.IsZero() {
		d.fail("peer with zero GUID")
	}
	p.Addr = d.addr("peer address", false)
	return p
}

func (d *decoder) peers() []Peer {
	n := d.count("peers", MaxPeers)
	if n == 0 {
		return nil
	}
	ps := make([]Peer, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		ps = append(ps, d.peer())
	}
	return ps
}

func (d *decoder) candidates() []netip.AddrPort {
	n := d.count("candidates", MaxCandidates)
	if n == 0 {
		return nil
	}
	as := make([]netip.AddrPort, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		as = append(as, d.addr("candidate", false))
	}
	return as
}

func (e *encoder) candidates(as []netip.AddrPort) {
	e.count("candidates", len(as), MaxCandidates)
	for _, a := range as {
		e.addr(a, false)
	}
}

// relays writes the optional trailing relays section, nothing when as is
// empty.
func (e *encoder) relays(as []netip.AddrPort) {
	if len(as) == 0 {
		return
	}
	e.count("relays", len(as), MaxRelays)
	for _, a := range as {
		e.addr(a, false)
	}
}

// relays reads the optional trailing relays section: nil when no bytes are
// left. A section with no relays is refused, as the encoder leaves it out.
func (d *decoder) relays() []netip.AddrPort {
	if d.err != nil || len(d.b) == 0 {
		return nil
	}
	n := d.count("relays", MaxRelays)
	if d.err == nil && n == 0 {
		d.fail("relays: empty section")
	}
	if d.err != nil {
		return nil
	}
	as := make([]netip.AddrPort, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		as = append(as, d.addr("relay", false))
	}
	return as
}

// end fails unless every byte was consumed.
func (d *decoder) end() error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d trailing bytes", len(d.b))
	}
	return d.err
}
