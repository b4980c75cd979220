package relay

import (
	"errors"
	"fmt"
)

// Prefix is the first byte a relay client writes on a node's TCP port.
const Prefix byte = 'R'

// Token names a relay session; both peers present the same one.
type Token [32]byte

const (
	version      byte = 1
	magic0       byte = 't'
	magic1       byte = 'r'
	requestSize       = 4 + len(Token{}) // after the prefix
	responseSize      = 2
)

// status is the relay's one-byte answer to a request.
type status byte

const (
	statusOK status = iota
	statusBusy
	statusRefused
	statusTimeout
	statusTokenInUse
	statusBadRequest
	statusCount // not a status: one past the last
)

func (s status) String() string {
	switch s {
	case statusOK:
		return "ok"
	case statusBusy:
		return "busy"
	case statusRefused:
		return "refused"
	case statusTimeout:
		return "timeout"
	case statusTokenInUse:
		return "token in use"
	case statusBadRequest:
		return "bad request"
	}
	return fmt.Sprintf("status(%d)", byte(s))
}

// errMalformed is returned by the decoders for bytes that are not a valid message.
var errMalformed = errors.New("malformed relay message")

// appendRequest appends the request (without the prefix) for tok to dst.
func appendRequest(dst []byte, tok Token) []byte {
	dst = append(dst, magic0, magic1, version, 0)
	return append(dst, tok[:]...)
}

// parseRequest decodes a request read after the prefix.
func parseRequest(b []byte) (Token, error) {
	var tok Token
	if len(b) != requestSize {
		return tok, fmt.Errorf("%w: request is %d bytes, want %d", errMalformed, len(b), requestSize)
	}
	if b[0] != magic0 || b[1] != magic1 {
		return tok, fmt.Errorf("%w: bad magic %#x %#x", errMalformed, b[0], b[1])
	}
	if b[2] != version {
		return tok, fmt.Errorf("%w: version %d, want %d", errMalformed, b[2], version)
	}
	if b[3] != 0 {
		return tok, fmt.Errorf("%w: reserved flags %#x", errMalformed, b[3])
	}
	copy(tok[:], b[4:])
	return tok, nil
}

// appendResponse appends the relay's answer st to dst.
func appendResponse(dst []byte, st status) []byte {
	return append(dst, version, byte(st))
}

// parseResponse decodes the relay's answer.
func parseResponse(b []byte) (status, error) {
	if len(b) != responseSize {
		return 0, fmt.Errorf("%w: response is %d bytes, want %d", errMalformed, len(b), responseSize)
	}
	if b[0] != version {
		return 0, fmt.Errorf("%w: version %d, want %d", errMalformed, b[0], version)
	}
	st := status(b[1])
	if st >= statusCount {
		return 0, fmt.Errorf("%w: unknown status %d", errMalformed, b[1])
	}
	return st, nil
}
