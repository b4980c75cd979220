package node

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"tincan/core/store"
)

// Send queues text for the contact and returns at once with the message in
// state "queued"; delivery goes on in the background and is reported as events.
func (n *Node) Send(ctx context.Context, name, text string) (MessageView, error) {
	if strings.TrimSpace(text) == "" {
		return MessageView{}, badInput(ErrEmptyMessage)
	}
	c, err := n.contactByName(ctx, name)
	if err != nil {
		return MessageView{}, err
	}
	if c.Revoked {
		return MessageView{}, badInput(fmt.Errorf("%w: %s can no longer reach you, and nothing is sent to them", ErrRevoked, c.Name))
	}
	var id store.MessageID
	if _, err := rand.Read(id[:]); err != nil {
		return MessageView{}, fmt.Errorf("message id: %w", err)
	}
	m, err := n.st.Enqueue(ctx, store.Message{
		ID: id, ContactID: c.ID, Direction: store.Outgoing, Body: text,
		SentAt: time.Now(), State: store.Queued,
	})
	if errors.Is(err, store.ErrMessageTooLong) {
		return MessageView{}, badInput(fmt.Errorf("%w (at most %d bytes)", err, store.MaxBody))
	}
	if err != nil {
		return MessageView{}, n.plainDiskFull("the message to "+c.Name, fmt.Errorf("queue message to %s: %w", c.Name, err))
	}
	v := messageView(c.Name, m)
	n.views.sending(m)
	n.publish(Event{Message: &v})
	n.chat.Kick(c.ID)
	return v, nil
}

// History returns the last limit messages with the contact, oldest first
// (limit <= 0: all).
func (n *Node) History(ctx context.Context, name string, limit int) ([]MessageView, error) {
	c, err := n.contactByName(ctx, name)
	if err != nil {
		return nil, err
	}
	ms, err := n.st.History(ctx, c.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", c.Name, err)
	}
	out := make([]MessageView, len(ms))
	for i, m := range ms {
		out[i] = messageView(c.Name, m)
	}
	return out, nil
}

// MarkRead marks the contact's incoming messages as seen.
func (n *Node) MarkRead(ctx context.Context, name string) error {
	c, err := n.contactByName(ctx, name)
	if err != nil {
		return err
	}
	if err := n.st.MarkRead(ctx, c.ID); err != nil {
		return fmt.Errorf("mark %s read: %w", c.Name, err)
	}
	return nil
}

func messageView(contactName string, m store.Message) MessageView {
	dir := "out"
	if m.Direction == store.Incoming {
		dir = "in"
	}
	v := MessageView{
		ID: hex.EncodeToString(m.ID[:]), Contact: contactName, Direction: dir,
		Text: m.Body, SentAt: m.SentAt, At: m.At, State: m.State.String(),
	}
	if m.Kind == store.KindCall {
		v.Kind = "call"
	}
	return v
}
