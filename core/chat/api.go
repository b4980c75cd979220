// Package chat runs the message sessions between contacts: TLS 1.3 pinned to
// both sides' identity keys, a framed protocol, acks after commit, and an
// outbox pumped with retries and backoff until every message is acknowledged.
//
// It also carries the user's new card to kept contacts after a rotation,
// refuses revoked contacts, and keeps presence: every other contact is
// dialed at start and redialed with backoff while unreachable, whether or
// not a message waits for it.
//
// It must never accept a session from a key that is not a contact (or is a
// revoked one), and never report a message delivered before the peer
// acknowledged its commit.
package chat

import (
	"context"
	"net"

	"tincan/core/store"
)

// Locator says where a contact can be reached now. The overlay will provide
// one; until then StaticLocator returns the address stored with the contact.
type Locator interface {
	Locate(ctx context.Context, c store.Contact) ([]string, error)
}

// StaticLocator returns the address given with the contact, if any.
type StaticLocator struct{}

// Locate returns c.Addr when it is set.
func (StaticLocator) Locate(_ context.Context, c store.Contact) ([]string, error) {
	if c.Addr == "" {
		return nil, nil
	}
	return []string{c.Addr}, nil
}

// Dialer opens outgoing connections (a net.Dialer, or an in-memory network in tests).
type Dialer interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

// Event is one of MessageReceived, StateChanged, PresenceChanged,
// CardUpdated or CardDelivered.
type Event interface{ isEvent() }

// MessageReceived reports a newly committed incoming message.
type MessageReceived struct{ Message store.Message }

// StateChanged reports an outgoing message's new delivery state.
type StateChanged struct {
	ContactID int64
	ID        store.MessageID
	State     store.State
}

// PresenceChanged reports a contact's session going up or down.
type PresenceChanged struct {
	ContactID int64
	Online    bool
	Path      string // one of the Path constants; PathNone when offline
	Addr      string // remote address of the live session
	Relay     string // the relay's address when Path is PathRelay
}

// CardUpdated reports that a contact rotated and its new card, received
// over its pinned session, is now stored. With KeyChanged, sessions are
// pinned to the new key from now on.
type CardUpdated struct {
	ContactID  int64
	KeyChanged bool
}

// CardDelivered reports that a contact acknowledged one of our card updates.
type CardDelivered struct{ ContactID int64 }

func (MessageReceived) isEvent() {}
func (StateChanged) isEvent()    {}
func (PresenceChanged) isEvent() {}
func (CardUpdated) isEvent()     {}
func (CardDelivered) isEvent()   {}
