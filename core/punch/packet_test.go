package punch

import (
	"bytes"
	"testing"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

func TestPacket(t *testing.T) {
	p := packet{done: true, nonce: nonce{1, 2, 3}, echo: nonce{4, 5, 6}}
	b := encode(testSecret, p)
	if len(b) != PacketSize || !IsProbe(b) {
		t.Fatalf("encoded %d bytes (probe %v), want %d", len(b), IsProbe(b), PacketSize)
	}
	if got, ok := decode(testSecret, b); !ok || got != p {
		t.Fatalf("decoded %+v %v, want %+v", got, ok, p)
	}
	if _, ok := decode([]byte("another secret of enough bytes!!"), b); ok {
		t.Error("decoded under the wrong secret")
	}
	for i := range b {
		c := bytes.Clone(b)
		c[i] ^= 0x10
		if _, ok := decode(testSecret, c); ok {
			t.Errorf("byte %d changed and the probe still decodes", i)
		}
	}
	if _, ok := decode(testSecret, append(bytes.Clone(b), 0)); ok {
		t.Error("a probe with a byte more decodes")
	}
	if _, ok := decode(testSecret, b[:PacketSize-1]); ok {
		t.Error("a probe with a byte less decodes")
	}
}

// FuzzDecode checks that any bytes decode without panic, that only bytes
// signed with the secret decode, and that what decodes re-encodes to itself.
func FuzzDecode(f *testing.F) {
	f.Add(encode(testSecret, packet{nonce: nonce{1}}))
	f.Add(encode(testSecret, packet{done: true, nonce: nonce{1}, echo: nonce{2}}))
	f.Add(encode([]byte("some other secret, long enough"), packet{nonce: nonce{3}}))
	f.Add([]byte("\xd1pn1 short"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, ok := decode(testSecret, b); ok && !bytes.Equal(encode(testSecret, p), b) {
			t.Fatalf("%x decodes to %+v, which encodes differently", b, p)
		}
		if !IsProbe(b) {
			return
		}
		// The same body signed right: it decodes exactly when its flags are known.
		signed := append(bytes.Clone(b[:macAt]), mac(testSecret, b[:macAt])...)
		p, ok := decode(testSecret, signed)
		if ok != (b[4]&^flagDone == 0) {
			t.Fatalf("signed probe with flags %#x: decoded %v", b[4], ok)
		}
		if ok && !bytes.Equal(encode(testSecret, p), signed) {
			t.Fatalf("%x decodes to %+v, which encodes differently", signed, p)
		}
	})
}
