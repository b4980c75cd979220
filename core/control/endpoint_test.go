package control

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestEndpointRoundTrip(t *testing.T) {
	addr := netip.MustParseAddrPort("127.0.0.1:49152")
	token := bytes.Repeat([]byte{0xab}, TokenSize)
	gotAddr, gotToken, err := parseEndpoint(formatEndpoint(addr, token))
	if err != nil || gotAddr != addr || !bytes.Equal(gotToken, token) {
		t.Fatalf("an endpoint file should read back as written, got %v %x %v", gotAddr, gotToken, err)
	}
}

func TestEndpointRefusesWhatANodeNeverWrites(t *testing.T) {
	tok := strings.Repeat("ab", TokenSize)
	for _, in := range []string{
		"",
		"127.0.0.1:49152 " + tok,              // no newline
		"192.168.1.2:49152 " + tok + "\n",     // not loopback
		"[::1]:0 " + tok + "\n",               // no port
		"127.0.0.1:49152 " + tok[2:] + "\n",   // short token
		"127.0.0.1:49152 " + tok + "ab\n",     // long token
		"127.0.0.1:49152 " + tok[2:] + "zz\n", // not hex
		"127.0.0.1:49152\n",                   // no token
		"localhost:49152 " + tok + "\n",       // a name, not an address
		"127.0.0.1:49152 " + tok + strings.Repeat(" ", maxEndpoint) + "\n", // too long
	} {
		if _, _, err := parseEndpoint([]byte(in)); !errors.Is(err, errBadEndpoint) {
			t.Errorf("endpoint %q should be refused as damaged, got %v", in, err)
		}
	}
}

func FuzzParseEndpoint(f *testing.F) {
	f.Add([]byte("127.0.0.1:49152 " + strings.Repeat("0f", TokenSize) + "\n"))
	f.Add([]byte("[::1]:1 " + strings.Repeat("00", TokenSize) + "\n"))
	f.Add([]byte("10.0.0.1:80 xyz\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		addr, token, err := parseEndpoint(data)
		if err != nil {
			return
		}
		if !addr.Addr().IsLoopback() || addr.Port() == 0 || len(token) != TokenSize {
			t.Fatalf("accepted endpoint %v with a %d-byte token from %q", addr, len(token), data)
		}
		a2, t2, err := parseEndpoint(formatEndpoint(addr, token))
		if err != nil || a2 != addr || !bytes.Equal(t2, token) {
			t.Fatalf("accepted endpoint %q does not survive a round trip: %v %x %v", data, a2, t2, err)
		}
	})
}
