// Package store keeps tincan's durable state in SQLite (WAL): contacts,
// messages, the outbox, pending card updates and settings, with versioned
// migrations.
//
// It must never hold a private key, and never lose a committed message.
package store

import (
	"errors"
	"time"
)

// MessageID is the 128-bit ID a sender gives each message.
type MessageID [16]byte

// Direction says who wrote a message.
type Direction int

// Directions of a message.
const (
	Outgoing Direction = 1
	Incoming Direction = 2
)

// State is a message's delivery state.
type State int

// Delivery states. Outgoing: Queued -> Sent -> Delivered. Incoming: Received.
const (
	Queued    State = 1 // in the outbox, not yet written to a session
	Sent      State = 2 // written to a live session, not yet acknowledged
	Delivered State = 3 // the peer acknowledged it after committing it
	Received  State = 4 // an incoming message, committed
)

// String names the state as the CLI's --json output does.
func (s State) String() string {
	switch s {
	case Queued:
		return "queued"
	case Sent:
		return "sent"
	case Delivered:
		return "delivered"
	case Received:
		return "received"
	}
	return "unknown"
}

// Contact is one entry of the contact list.
type Contact struct {
	ID          int64
	Name        string
	Card        string // the card text as given
	PublicKey   []byte // PKIX DER
	Fingerprint []byte // SHA-256 of PublicKey
	SecretID    []byte // 16 bytes
	Addr        string // last known or user-given address "host:port"; may be empty
	AddedAt     time.Time
	Revoked     bool      // the user rotated away from this contact: no sessions with it
	LastAddr    string    // where a dial of ours last reached the contact directly; may be empty
	LastAddrAt  time.Time // when LastAddr was last confirmed; zero if never
}

// Message is one chat message, in either direction.
type Message struct {
	ID        MessageID
	ContactID int64
	Direction Direction
	Body      string
	SentAt    time.Time // sender's clock
	At        time.Time // local time it was queued (outgoing) or committed (incoming)
	State     State
	Seq       int64 // local insertion order; history is ordered by it
	Read      bool  // incoming: the user has seen it
	Kind      Kind  // a chat message, or a call's line in the conversation
}

// Kind says what a stored message is.
type Kind int

// Kinds of message.
const (
	KindChat Kind = 0 // a chat message
	KindCall Kind = 1 // a call's line ("Missed call", "Call, 3:12"): local only, never sent
)

// Errors callers decide on.
var (
	ErrNotFound       = errors.New("not found")
	ErrDuplicateName  = errors.New("a contact with this name already exists")
	ErrDuplicateKey   = errors.New("this contact is already in the list")
	ErrSchemaTooNew   = errors.New("database was written by a newer tincan")
	ErrMessageTooLong = errors.New("message too long")
	ErrStale          = errors.New("the contact's key changed meanwhile")
)

// MaxBody bounds the text of one message (bytes of UTF-8).
const MaxBody = 16 << 10

// MaxName bounds a contact name (bytes of UTF-8).
const MaxName = 64
