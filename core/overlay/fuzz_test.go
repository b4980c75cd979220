package overlay

import (
	"bytes"
	"net/netip"
	"reflect"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to the message decoder: it must never
// panic, and whatever it accepts must re-encode to exactly the same bytes
// (the encoding is canonical) and decode to the same message.
func FuzzDecode(f *testing.F) {
	for _, m := range sampleMessages() {
		b, err := Encode(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			return
		}
		b, err := Encode(m)
		if err != nil {
			t.Fatalf("decoded %s does not re-encode: %v", m.Type(), err)
		}
		if !bytes.Equal(b, data) {
			t.Fatalf("%s re-encodes to different bytes", m.Type())
		}
		again, err := Decode(b)
		if err != nil || !reflect.DeepEqual(again, m) {
			t.Fatalf("%s: second decode differs: %v", m.Type(), err)
		}
	})
}

// FuzzDecodePayload feeds arbitrary bytes to the decoders of sealed bodies
// (hello and reply, with and without relays), which see bytes from the
// network once opened: what decodes must re-encode to the same bytes.
func FuzzDecodePayload(f *testing.F) {
	relays := []netip.AddrPort{netip.MustParseAddrPort("198.51.100.4:443"), netip.MustParseAddrPort("[2001:db8::4]:7700")}
	h, _ := encodeHello(&hello{SecretID: SecretID{1}, GUID: GUID{2}, Time: 3})
	r, _ := encodeReply(&reply{GUID: GUID{4}, Time: 5})
	hr, _ := encodeHello(&hello{SecretID: SecretID{1}, GUID: GUID{2}, Time: 3, Relays: relays})
	rr, _ := encodeReply(&reply{GUID: GUID{4}, Time: 5, Relays: relays[:1]})
	f.Add(h)
	f.Add(r)
	f.Add(hr)
	f.Add(rr)
	f.Add(append(bytes.Clone(r), 0))           // an empty relays section
	f.Add(append(bytes.Clone(r), MaxRelays+1)) // too many relays
	f.Fuzz(func(t *testing.T, data []byte) {
		if h, err := decodeHello(data); err == nil {
			b, err := encodeHello(h)
			if err != nil || !bytes.Equal(b, data) {
				t.Fatalf("hello does not round-trip: %v", err)
			}
		}
		if r, err := decodeReply(data); err == nil {
			b, err := encodeReply(r)
			if err != nil || !bytes.Equal(b, data) {
				t.Fatalf("reply does not round-trip: %v", err)
			}
		}
	})
}
