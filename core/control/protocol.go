// Package control is the local control socket through which the CLI drives a
// running node (GUI or daemon): one JSON request and one JSON response per
// connection, over a Unix socket in the node's home dir, owner-only. On
// Windows (where Wine, and Windows before 10, have no Unix sockets) it is a
// listener on 127.0.0.1 whose port and random token sit in that same file,
// readable by the user alone; a connection without the token is closed
// unanswered.
//
// It must never listen on anything but a Unix socket or the loopback
// address, never answer a connection on loopback that lacks the token, and
// never trust a request's size.
package control

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// SocketName is the control socket's file name inside the home dir.
const SocketName = "control.sock"

// MaxRequest bounds a request; MaxResponse bounds a response.
const (
	MaxRequest  = 64 << 10
	MaxResponse = 64 << 20
)

// Exit codes carried in responses, as the CLI contract defines them.
const (
	CodeOK       = 0
	CodeFailed   = 1
	CodeBadInput = 2
)

// Request is one command for the node.
type Request struct {
	Cmd    string   `json:"cmd"`
	Name   string   `json:"name,omitempty"`
	Card   string   `json:"card,omitempty"`
	Addr   string   `json:"addr,omitempty"`
	Text   string   `json:"text,omitempty"`
	Limit  int      `json:"limit,omitempty"`
	Keep   []string `json:"keep,omitempty"`    // rotate: the contacts that get the new card
	NewKey bool     `json:"new_key,omitempty"` // rotate: make a new key as well
}

// Response is the node's answer; Data holds the command's JSON result.
type Response struct {
	OK    bool            `json:"ok"`
	Error string          `json:"error,omitempty"`
	Code  int             `json:"code,omitempty"`
	Data  json.RawMessage `json:"data,omitempty"`
}

// ErrTooLarge means a request or response exceeded its size limit.
var ErrTooLarge = errors.New("control message too large")

// DecodeRequest reads one request of at most MaxRequest bytes.
func DecodeRequest(r io.Reader) (Request, error) {
	var req Request
	if err := decodeLimited(r, MaxRequest, &req); err != nil {
		return req, fmt.Errorf("decode request: %w", err)
	}
	if req.Cmd == "" {
		return req, errors.New("decode request: no command")
	}
	return req, nil
}

// DecodeResponse reads one response of at most MaxResponse bytes.
func DecodeResponse(r io.Reader) (Response, error) {
	var resp Response
	if err := decodeLimited(r, MaxResponse, &resp); err != nil {
		return resp, fmt.Errorf("decode response: %w", err)
	}
	return resp, nil
}

func decodeLimited(r io.Reader, limit int64, v any) error {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return err
	}
	if int64(len(data)) > limit {
		return ErrTooLarge
	}
	return json.Unmarshal(data, v)
}
