package store

import (
	"context"
	"database/sql"
)

// Store is the SQLite database of one tincan home.
type Store struct{ db *sql.DB }

// Open opens (creating if needed) the database at path, owner-only, in WAL
// mode, and applies pending migrations.
func Open(path string) (*Store, error) { panic("unimplemented") }

// Close closes the database.
func (s *Store) Close() error { panic("unimplemented") }

// AddContact inserts c (ID and AddedAt are set by the store) and returns it.
// It fails with ErrDuplicateName or ErrDuplicateKey.
func (s *Store) AddContact(ctx context.Context, c Contact) (Contact, error) { panic("unimplemented") }

// Contacts lists all contacts ordered by name.
func (s *Store) Contacts(ctx context.Context) ([]Contact, error) { panic("unimplemented") }

// ContactByName returns the contact with this name or ErrNotFound.
func (s *Store) ContactByName(ctx context.Context, name string) (Contact, error) {
	panic("unimplemented")
}

// ContactByID returns the contact with this ID or ErrNotFound.
func (s *Store) ContactByID(ctx context.Context, id int64) (Contact, error) { panic("unimplemented") }

// ContactByFingerprint returns the contact whose key has this fingerprint or ErrNotFound.
func (s *Store) ContactByFingerprint(ctx context.Context, fp []byte) (Contact, error) {
	panic("unimplemented")
}

// RemoveContact deletes the contact, its messages and its outbox, or returns ErrNotFound.
func (s *Store) RemoveContact(ctx context.Context, name string) error { panic("unimplemented") }

// SetContactAddr records the address at which the contact was last reached.
func (s *Store) SetContactAddr(ctx context.Context, id int64, addr string) error {
	panic("unimplemented")
}

// Enqueue stores an outgoing message and its outbox entry in one transaction
// (state Queued) and returns it with Seq and At set.
func (s *Store) Enqueue(ctx context.Context, m Message) (Message, error) { panic("unimplemented") }

// Outbox returns the contact's unacknowledged outgoing messages in Seq order.
func (s *Store) Outbox(ctx context.Context, contactID int64) ([]Message, error) {
	panic("unimplemented")
}

// OutboxContacts returns the IDs of contacts that have pending messages.
func (s *Store) OutboxContacts(ctx context.Context) ([]int64, error) { panic("unimplemented") }

// MarkSent moves an outgoing message from Queued to Sent (no-op if already further).
func (s *Store) MarkSent(ctx context.Context, contactID int64, id MessageID) error {
	panic("unimplemented")
}

// MarkDelivered marks an outgoing message Delivered and removes it from the
// outbox. It reports whether the state changed (false for a repeated ack or
// an unknown ID).
func (s *Store) MarkDelivered(ctx context.Context, contactID int64, id MessageID) (bool, error) {
	panic("unimplemented")
}

// ResetSent moves the contact's Sent messages back to Queued (a session died).
func (s *Store) ResetSent(ctx context.Context, contactID int64) error { panic("unimplemented") }

// SaveIncoming commits an incoming message (state Received). It reports
// dup=true, changing nothing, when this contact already sent this ID.
func (s *Store) SaveIncoming(ctx context.Context, m Message) (saved Message, dup bool, err error) {
	panic("unimplemented")
}

// History returns the last limit messages with the contact, oldest first.
// limit <= 0 means all.
func (s *Store) History(ctx context.Context, contactID int64, limit int) ([]Message, error) {
	panic("unimplemented")
}

// MarkRead marks all incoming messages of the contact read.
func (s *Store) MarkRead(ctx context.Context, contactID int64) error { panic("unimplemented") }

// Unread counts the contact's unread incoming messages.
func (s *Store) Unread(ctx context.Context, contactID int64) (int, error) { panic("unimplemented") }

// Setting returns a setting's value, or "" and ErrNotFound.
func (s *Store) Setting(ctx context.Context, key string) (string, error) { panic("unimplemented") }

// SetSetting stores a setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error { panic("unimplemented") }
