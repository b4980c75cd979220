package ui

import (
	"context"

	"tincan/core/audio"
	"tincan/core/node"
)

// Backend is the part of the node the views use; *node.Node satisfies it.
// Every method may block, so the views call them off the UI goroutine.
type Backend interface {
	Status(ctx context.Context) (node.Status, error)
	Card() string
	QRText() string
	Name() string
	AddContact(ctx context.Context, name, card, addr string) (node.ContactView, error)
	RemoveContact(ctx context.Context, name string) error
	Contacts(ctx context.Context) ([]node.ContactView, error)
	Send(ctx context.Context, name, text string) (node.MessageView, error)
	History(ctx context.Context, name string, limit int) ([]node.MessageView, error)
	HistoryBefore(ctx context.Context, name, before string, limit int) ([]node.MessageView, error)
	HistoryAfter(ctx context.Context, name, after string, limit int) ([]node.MessageView, error)
	LastMessages(ctx context.Context) (map[string]node.MessageView, error)
	Search(ctx context.Context, query string, limit int) ([]node.MessageView, error)
	MarkRead(ctx context.Context, name string) error
	Rotate(ctx context.Context, keep []string, newKey bool) (node.RotateResult, error)
	Subscribe() (<-chan node.Event, func())
	AnswerRelay(ctx context.Context, name string, allow bool) error
	SetRelayPolicy(ctx context.Context, policy string) error
	SetServeRelay(ctx context.Context, on bool) error
	SetRelayCaps(ctx context.Context, sessions int, rateKiB int64) error

	Call(ctx context.Context, name string) error
	Answer(ctx context.Context, name string) error
	Decline(ctx context.Context, name string) error
	Hangup(ctx context.Context) error
	SetMute(ctx context.Context, on bool) error
	CurrentCall() node.CallView
	AudioDevices() (capture, playback []audio.Info, chosenCapture, chosenPlayback string, err error)
	SetAudioDevices(ctx context.Context, capture, playback string) error
}

var _ Backend = (*node.Node)(nil)
