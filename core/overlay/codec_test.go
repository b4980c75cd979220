package overlay

import (
	"bytes"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func sampleMessages() []Message {
	g1, g2 := GUID{1, 2, 3, 19: 9}, GUID{0xff, 19: 0xee}
	p4 := Peer{GUID: g1, Addr: netip.MustParseAddrPort("198.51.100.7:7700")}
	p6 := Peer{GUID: g2, Addr: netip.MustParseAddrPort("[2001:db8::1]:443")}
	rec := Record{Key: g2, Hour: 493000, Sealed: bytes.Repeat([]byte{0xab}, 180)}
	return []Message{
		&Ping{ID: 1},
		&Pong{ID: 2, Observed: p4.Addr},
		&Pong{ID: 3},
		&FindNode{ID: 4, Target: g1},
		&Nodes{ID: 5, Peers: []Peer{p4, p6}},
		&Nodes{ID: 6},
		&FindValue{ID: 7, Key: g2},
		&Value{ID: 8, Records: []Record{rec, rec}, Peers: []Peer{p6}},
		&Store{ID: 9, Record: rec},
		&Stored{ID: 10},
		&PeerExchange{ID: 11},
		&Observed{Addr: p6.Addr},
		&Flood{Nonce: Nonce{1, 15: 2}, Time: 1767225600000, TTL: 10, Envelope: bytes.Repeat([]byte{7}, 700)},
		&FloodAnswer{Nonce: Nonce{3}, Sealed: []byte("sealed answer")},
		&Connect{Nonce: Nonce{4}, Time: 1767225600001, TTL: MaxTTL, Target: g1, Sealed: []byte("sealed hello")},
		&ConnectAnswer{Nonce: Nonce{5}, Sealed: []byte{1}},
		&ProbeRequest{To: p6.Addr, Transaction: [12]byte{1, 11: 2}},
	}
}

func TestCodecRoundTrip(t *testing.T) {
	seen := map[Type]bool{}
	for _, m := range sampleMessages() {
		b, err := Encode(m)
		if err != nil {
			t.Fatalf("encode %s: %v", m.Type(), err)
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("decode %s: %v", m.Type(), err)
		}
		if !reflect.DeepEqual(got, m) {
			t.Fatalf("%s: round trip gave %+v, want %+v", m.Type(), got, m)
		}
		seen[m.Type()] = true
		// Every strict prefix is rejected.
		for i := 0; i < len(b); i++ {
			if _, err := Decode(b[:i]); !errors.Is(err, ErrMalformed) {
				t.Fatalf("%s: %d-byte prefix: %v", m.Type(), i, err)
			}
		}
		if _, err := Decode(append(b, 0)); !errors.Is(err, ErrMalformed) {
			t.Fatalf("%s: a trailing byte was accepted", m.Type())
		}
	}
	for ty := TypePing; ty < typeEnd; ty++ {
		if !seen[ty] {
			t.Errorf("no round trip for %s", ty)
		}
	}
}

func TestCodecRejectsOverLimits(t *testing.T) {
	peers := make([]Peer, MaxPeers+1)
	for i := range peers {
		peers[i] = Peer{GUID: GUID{byte(i + 1)}, Addr: netip.MustParseAddrPort("192.0.2.1:1")}
	}
	recs := make([]Record, MaxRecords+1)
	for i := range recs {
		recs[i] = Record{Key: GUID{1}, Sealed: []byte{1}}
	}
	for name, m := range map[string]Message{
		"too many peers":       &Nodes{Peers: peers},
		"too many records":     &Value{Records: recs},
		"record too large":     &Store{Record: Record{Sealed: make([]byte, MaxRecordSealed+1)}},
		"empty record":         &Store{Record: Record{}},
		"envelope too large":   &Flood{TTL: 1, Envelope: make([]byte, MaxEnvelope+1)},
		"empty envelope":       &Flood{TTL: 1},
		"ttl zero":             &Flood{TTL: 0, Envelope: []byte{1}},
		"ttl too large":        &Connect{TTL: MaxTTL + 1, Sealed: []byte{1}},
		"connect too large":    &Connect{TTL: 1, Sealed: make([]byte, MaxConnectSealed+1)},
		"answer too large":     &FloodAnswer{Sealed: make([]byte, MaxAnswerSealed+1)},
		"negative time":        &Flood{Time: -1, TTL: 1, Envelope: []byte{1}},
		"zero GUID peer":       &Nodes{Peers: []Peer{{Addr: netip.MustParseAddrPort("192.0.2.1:1")}}},
		"peer without address": &Nodes{Peers: []Peer{{GUID: GUID{1}}}},
		"port zero":            &Observed{Addr: netip.MustParseAddrPort("192.0.2.1:0")},
		"missing address":      &Observed{},
	} {
		if _, err := Encode(m); err == nil {
			t.Errorf("%s: encoded", name)
		}
	}

	// Bytes a peer might send that the encoder would never produce.
	valid, _ := Encode(&Nodes{ID: 1, Peers: []Peer{{GUID: GUID{1}, Addr: netip.MustParseAddrPort("192.0.2.1:7")}}})
	for name, b := range map[string][]byte{
		"empty":            {},
		"version 2":        {2, byte(TypePing), 0, 0, 0, 0, 0, 0, 0, 1},
		"version 0":        {0, byte(TypePing), 0, 0, 0, 0, 0, 0, 0, 1},
		"unknown type":     {Version, 99},
		"type zero":        {Version, 0},
		"too many peers":   append(append([]byte{Version, byte(TypeNodes)}, make([]byte, 8)...), MaxPeers+1),
		"too many records": append(append([]byte{Version, byte(TypeValue)}, make([]byte, 8)...), MaxRecords+1),
		"envelope length over limit": append(append([]byte{Version, byte(TypeFlood)}, make([]byte, 16+8)...),
			1, 0xff, 0xff),
		"address family 5": replaceAt(valid, 2+8+1+20, 5),
		"4in6 address": append(append([]byte{Version, byte(TypeObserved), famIPv6},
			netip.MustParseAddr("::ffff:192.0.2.1").AsSlice()...), 0, 7),
	} {
		if _, err := Decode(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: decode error %v, want ErrMalformed", name, err)
		}
	}
	if _, err := Decode(make([]byte, MaxMessage+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized message: %v", err)
	}
}

func replaceAt(b []byte, i int, v byte) []byte {
	c := bytes.Clone(b)
	c[i] = v
	return c
}

func TestLargestMessagesFit(t *testing.T) {
	var peers []Peer
	for i := 0; i < MaxPeers; i++ {
		peers = append(peers, Peer{GUID: GUID{byte(i + 1)}, Addr: netip.MustParseAddrPort("[2001:db8::1]:7700")})
	}
	var recs []Record
	for i := 0; i < MaxRecords; i++ {
		recs = append(recs, Record{Key: GUID{1}, Sealed: make([]byte, MaxRecordSealed)})
	}
	for _, m := range []Message{
		&Value{Records: recs, Peers: peers},
		&Flood{TTL: MaxTTL, Envelope: make([]byte, MaxEnvelope)},
	} {
		if _, err := Encode(m); err != nil {
			t.Errorf("largest %s: %v", m.Type(), err)
		}
	}
}

func TestFrames(t *testing.T) {
	var buf bytes.Buffer
	msgs := sampleMessages()
	for _, m := range msgs {
		if err := WriteFrame(&buf, m); err != nil {
			t.Fatalf("write %s: %v", m.Type(), err)
		}
	}
	for _, want := range msgs {
		got, err := ReadFrame(&buf)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("read frame: %+v, %v; want %+v", got, err, want)
		}
	}
	// A length over the limit is refused before the body is read.
	r := strings.NewReader("\xff\xff")
	if _, err := ReadFrame(r); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversized frame: %v", err)
	}
}

func TestPayloadRoundTripAndLimits(t *testing.T) {
	h := &hello{SecretID: SecretID{1}, From: Fingerprint{2}, ReplyKey: [32]byte{3}, GUID: GUID{4},
		Nonce: Nonce{5}, Time: 6, Candidates: []netip.AddrPort{netip.MustParseAddrPort("192.0.2.1:7700"),
			netip.MustParseAddrPort("[2001:db8::2]:7700")}}
	b, err := encodeHello(h)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeHello(b)
	if err != nil || !reflect.DeepEqual(got, h) {
		t.Fatalf("hello round trip: %+v, %v", got, err)
	}
	if _, err := decodeHello(b[:len(b)-1]); err == nil {
		t.Fatal("truncated hello decoded")
	}
	rp := &reply{GUID: GUID{9}, Time: 10, Candidates: h.Candidates}
	b, err = encodeReply(rp)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodeReply(b); err != nil || !reflect.DeepEqual(got, rp) {
		t.Fatalf("reply round trip: %+v, %v", got, err)
	}
	rp.Candidates = make([]netip.AddrPort, MaxCandidates+1)
	for i := range rp.Candidates {
		rp.Candidates[i] = netip.MustParseAddrPort("192.0.2.1:7700")
	}
	if _, err := encodeReply(rp); err == nil {
		t.Fatal("too many candidates encoded")
	}
}

func TestPayloadRelays(t *testing.T) {
	cands := []netip.AddrPort{netip.MustParseAddrPort("192.0.2.1:7700")}
	relays := []netip.AddrPort{netip.MustParseAddrPort("198.51.100.4:443"), netip.MustParseAddrPort("[2001:db8::4]:7700")}
	h := &hello{SecretID: SecretID{1}, From: Fingerprint{2}, ReplyKey: [32]byte{3}, GUID: GUID{4},
		Nonce: Nonce{5}, Time: 6, Candidates: cands}
	bare, err := encodeHello(h)
	if err != nil {
		t.Fatal(err)
	}
	h.Relays = relays
	full, err := encodeHello(h)
	if err != nil {
		t.Fatal(err)
	}
	// The relays section is a pure suffix: without it the bytes are as before.
	if !bytes.Equal(full[:len(bare)], bare) || len(full) != len(bare)+1+(1+4+2)+(1+16+2) {
		t.Fatalf("relays section is not a %d-byte suffix: %x vs %x", 1+7+19, full, bare)
	}
	if got, err := decodeHello(full); err != nil || !reflect.DeepEqual(got, h) {
		t.Fatalf("hello with relays: %+v, %v", got, err)
	}
	if got, err := decodeHello(bare); err != nil || got.Relays != nil {
		t.Fatalf("hello without relays: %+v, %v", got, err)
	}
	// A cut inside the section is refused, as is anything after it.
	for i := len(bare) + 1; i < len(full); i++ {
		if _, err := decodeHello(full[:i]); !errors.Is(err, ErrMalformed) {
			t.Fatalf("hello cut at %d of %d: %v", i, len(full), err)
		}
	}
	if _, err := decodeHello(append(bytes.Clone(full), 0)); !errors.Is(err, ErrMalformed) {
		t.Fatal("a byte after the relays was accepted")
	}

	rp := &reply{GUID: GUID{9}, Time: 10, Candidates: cands, Relays: relays[:1]}
	b, err := encodeReply(rp)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodeReply(b); err != nil || !reflect.DeepEqual(got, rp) {
		t.Fatalf("reply with relays: %+v, %v", got, err)
	}
	rp.Relays = nil
	b, err = encodeReply(rp)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodeReply(b); err != nil || got.Relays != nil || !reflect.DeepEqual(got, rp) {
		t.Fatalf("reply without relays: %+v, %v", got, err)
	}

	// The encoder refuses what the decoder would.
	for name, rs := range map[string][]netip.AddrPort{
		"too many relays": {relays[0], relays[1], netip.MustParseAddrPort("198.51.100.5:1")},
		"relay port zero": {netip.MustParseAddrPort("198.51.100.4:0")},
		"invalid relay":   {{}},
	} {
		if _, err := encodeReply(&reply{GUID: GUID{9}, Relays: rs}); err == nil {
			t.Errorf("reply: %s encoded", name)
		}
		if _, err := encodeHello(&hello{GUID: GUID{9}, Relays: rs}); err == nil {
			t.Errorf("hello: %s encoded", name)
		}
	}
	relay := []byte{famIPv4, 198, 51, 100, 4, 0x01, 0xbb}
	for name, sec := range map[string][]byte{
		"count over MaxRelays": append([]byte{MaxRelays + 1}, bytes.Repeat(relay, MaxRelays+1)...),
		"empty section":        {0},
		"count without relays": {1},
		"relay port zero":      {1, famIPv4, 198, 51, 100, 4, 0, 0},
		"relay family 5":       {1, 5, 198, 51, 100, 4, 0x01, 0xbb},
		"missing relay":        {1, famNone},
	} {
		if _, err := decodeHello(append(bytes.Clone(bare), sec...)); !errors.Is(err, ErrMalformed) {
			t.Errorf("hello with %s: %v, want ErrMalformed", name, err)
		}
		if _, err := decodeReply(append(bytes.Clone(b), sec...)); !errors.Is(err, ErrMalformed) {
			t.Errorf("reply with %s: %v, want ErrMalformed", name, err)
		}
	}
}

// TestLargestPayloadsFit checks that a hello and a reply with every list
// full of IPv6 addresses still fit the sealed limits they travel under.
func TestLargestPayloadsFit(t *testing.T) {
	v6 := func(n int) []netip.AddrPort {
		as := make([]netip.AddrPort, n)
		for i := range as {
			as[i] = netip.AddrPortFrom(netip.MustParseAddr("2001:db8::1"), uint16(i+1))
		}
		return as
	}
	key := make([]byte, 32)
	rnd := bytes.NewReader(make([]byte, 64))
	h, err := encodeHello(&hello{GUID: GUID{1}, Candidates: v6(MaxCandidates), Relays: v6(MaxRelays)})
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := sealRandomNonce(key, h, nil, rnd)
	if err != nil || len(sealed) > MaxConnectSealed {
		t.Errorf("largest connect hello seals to %d bytes (limit %d), %v", len(sealed), MaxConnectSealed, err)
	}
	r, err := encodeReply(&reply{GUID: GUID{1}, Candidates: v6(MaxCandidates), Relays: v6(MaxRelays)})
	if err != nil {
		t.Fatal(err)
	}
	sealed, err = sealRandomNonce(key, r, nil, rnd)
	if err != nil || len(sealed) > min(MaxAnswerSealed, MaxRecordSealed) {
		t.Errorf("largest reply seals to %d bytes (limits %d, %d), %v", len(sealed), MaxAnswerSealed, MaxRecordSealed, err)
	}
}
