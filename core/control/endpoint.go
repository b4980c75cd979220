package control

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// TokenSize is the length of the secret a Windows control connection opens
// with (see listen_windows.go).
const TokenSize = 32

// maxEndpoint bounds the endpoint file: an address, a space, the token in
// hex and a newline fit easily.
const maxEndpoint = 256

// errBadEndpoint means the endpoint file is not one a node wrote.
var errBadEndpoint = errors.New("control endpoint file is damaged")

// formatEndpoint is the endpoint file's content for a loopback address and
// a token: "127.0.0.1:PORT HEX\n".
func formatEndpoint(addr netip.AddrPort, token []byte) []byte {
	return fmt.Appendf(nil, "%s %s\n", addr, hex.EncodeToString(token))
}

// parseEndpoint reads an endpoint file's content. It accepts only a
// loopback address with a port and a token of exactly TokenSize bytes, so a
// tampered file can never send the CLI (and its token) anywhere else.
func parseEndpoint(data []byte) (netip.AddrPort, []byte, error) {
	if len(data) > maxEndpoint {
		return netip.AddrPort{}, nil, errBadEndpoint
	}
	line, ok := bytes.CutSuffix(data, []byte("\n"))
	if !ok {
		return netip.AddrPort{}, nil, errBadEndpoint
	}
	a, t, ok := strings.Cut(string(line), " ")
	if !ok {
		return netip.AddrPort{}, nil, errBadEndpoint
	}
	addr, err := netip.ParseAddrPort(a)
	if err != nil || !addr.Addr().IsLoopback() || addr.Port() == 0 {
		return netip.AddrPort{}, nil, errBadEndpoint
	}
	token, err := hex.DecodeString(t)
	if err != nil || len(token) != TokenSize {
		return netip.AddrPort{}, nil, errBadEndpoint
	}
	return addr, token, nil
}
