package node

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"tincan/core/control"
)

// Identity is what `tincan id --json` prints.
type Identity struct {
	Name        string `json:"name"`
	Card        string `json:"card"`
	Fingerprint string `json:"fingerprint"`
}

// ErrUnknownCommand means the control request names no command this node knows.
var ErrUnknownCommand = errors.New("unknown command")

// Handle answers one control request; it is the control socket's handler.
func (n *Node) Handle(ctx context.Context, req control.Request) (any, error) {
	switch req.Cmd {
	case control.CmdShow: // a second app start on a daemon's home
		return nil, ErrNoWindow
	case "id":
		st, err := n.Status(ctx)
		if err != nil {
			return nil, err
		}
		return Identity{Name: st.Name, Card: st.Card, Fingerprint: st.Fingerprint}, nil
	case "status":
		return n.Status(ctx)
	case "contacts.add":
		return n.AddContact(ctx, req.Name, req.Card, req.Addr)
	case "contacts.list":
		return n.Contacts(ctx)
	case "contacts.remove":
		return struct{}{}, n.RemoveContact(ctx, req.Name)
	case "send":
		return n.Send(ctx, req.Name, req.Text)
	case "history":
		return n.History(ctx, req.Name, req.Limit)
	case "rotate":
		return n.Rotate(ctx, req.Keep, req.NewKey)
	case "call":
		return struct{}{}, n.Call(ctx, req.Name)
	case "answer":
		return struct{}{}, n.Answer(ctx, req.Name)
	case "decline":
		return struct{}{}, n.Decline(ctx, req.Name)
	case "hangup":
		return struct{}{}, n.Hangup(ctx)
	case "mute":
		if req.Text != "on" && req.Text != "off" {
			return nil, badInput(errors.New("mute: want on or off"))
		}
		return struct{}{}, n.SetMute(ctx, req.Text == "on")
	case "relay.allow", "relay.deny":
		return struct{}{}, n.AnswerRelay(ctx, req.Name, req.Cmd == "relay.allow")
	case "relay.use":
		return struct{}{}, n.SetRelayPolicy(ctx, req.Text)
	case "relay.caps":
		rate, err := strconv.ParseInt(req.Text, 10, 64)
		if err != nil {
			return nil, badInput(fmt.Errorf("relay caps: rate %q is not a whole number", req.Text))
		}
		return struct{}{}, n.SetRelayCaps(ctx, req.Limit, rate)
	case "relay.serve":
		if req.Text != "on" && req.Text != "off" {
			return nil, badInput(errors.New("relay serve: want on or off"))
		}
		return struct{}{}, n.SetServeRelay(ctx, req.Text == "on")
	}
	return nil, badInput(errors.Join(ErrUnknownCommand, errors.New(req.Cmd)))
}

// ExitCode maps an error from the node to the CLI contract's exit code.
func ExitCode(err error) int {
	switch {
	case err == nil:
		return control.CodeOK
	case IsBadInput(err):
		return control.CodeBadInput
	}
	return control.CodeFailed
}
