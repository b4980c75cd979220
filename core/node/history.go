package node

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	"tincan/core/store"
)

// ErrBadMessageID means a message ID is not 32 hex digits.
var ErrBadMessageID = fmt.Errorf("message ID must be 32 hex digits")

// HistoryBefore returns up to limit messages with the contact from before
// the message with ID before, oldest first: the page above the oldest
// message a view shows. limit is clamped to 1..1000.
func (n *Node) HistoryBefore(ctx context.Context, name, before string, limit int) ([]MessageView, error) {
	return n.historyPage(ctx, name, before, limit, (*store.Store).HistoryBefore)
}

// HistoryAfter returns up to limit messages with the contact from after the
// message with ID after, oldest first: the page below the newest message a
// view shows. limit is clamped to 1..1000.
func (n *Node) HistoryAfter(ctx context.Context, name, after string, limit int) ([]MessageView, error) {
	return n.historyPage(ctx, name, after, limit, (*store.Store).HistoryAfter)
}

type pageFunc func(*store.Store, context.Context, int64, store.MessageID, int) ([]store.Message, error)

func (n *Node) historyPage(ctx context.Context, name, id string, limit int, page pageFunc) ([]MessageView, error) {
	mid, err := parseMessageID(id)
	if err != nil {
		return nil, err
	}
	c, err := n.contactByName(ctx, name)
	if err != nil {
		return nil, err
	}
	ms, err := page(n.st, ctx, c.ID, mid, limit)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", c.Name, err)
	}
	out := make([]MessageView, len(ms))
	for i, m := range ms {
		out[i] = messageView(c.Name, m)
	}
	return out, nil
}

// LastMessages returns each contact's newest message by contact name, for
// a contact list sorted by recent activity; contacts with no messages are
// left out.
func (n *Node) LastMessages(ctx context.Context) (map[string]MessageView, error) {
	cs, err := n.st.Contacts(ctx)
	if err != nil {
		return nil, fmt.Errorf("last messages: %w", err)
	}
	last, err := n.st.LastMessages(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]MessageView, len(last))
	for _, c := range cs {
		if m, ok := last[c.ID]; ok {
			out[c.Name] = messageView(c.Name, m)
		}
	}
	return out, nil
}

// parseMessageID reads a MessageView's ID.
func parseMessageID(s string) (store.MessageID, error) {
	var id store.MessageID
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != len(id) {
		return id, badInput(fmt.Errorf("%w: %q", ErrBadMessageID, s))
	}
	copy(id[:], b)
	return id, nil
}
