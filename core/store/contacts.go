package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrInvalidName means a contact name is empty or longer than MaxName bytes.
var ErrInvalidName = fmt.Errorf("contact name must be 1 to %d bytes", MaxName)

// Limits on the other contact fields.
const (
	maxCard      = 8 << 10
	maxPublicKey = 4 << 10
	maxAddr      = 512
	secretIDLen  = 16
)

const contactCols = `id, name, card, public_key, fingerprint, secret_id, addr, added_at, revoked, last_addr, last_addr_at`

// AddContact inserts c (ID and AddedAt are set by the store) and returns it.
// The name is stored trimmed. It fails with ErrInvalidName,
// ErrDuplicateName or ErrDuplicateKey.
func (s *Store) AddContact(ctx context.Context, c Contact) (Contact, error) {
	c.Name = strings.TrimSpace(c.Name)
	if err := validateContact(c); err != nil {
		return Contact{}, fmt.Errorf("add contact %q: %w", c.Name, err)
	}
	c.AddedAt = time.Now().UTC()
	res, err := s.exec(ctx,
		`INSERT INTO contacts (name, card, public_key, fingerprint, secret_id, addr, added_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?)`,
		c.Name, c.Card, c.PublicKey, c.Fingerprint, c.SecretID, c.Addr, toNanos(c.AddedAt))
	switch {
	case isUnique(err, "contacts.name"):
		return Contact{}, fmt.Errorf("add contact %q: %w", c.Name, ErrDuplicateName)
	case isUnique(err, "contacts.fingerprint"):
		return Contact{}, fmt.Errorf("add contact %q: %w", c.Name, ErrDuplicateKey)
	case err != nil:
		return Contact{}, fmt.Errorf("add contact %q: %w", c.Name, err)
	}
	if c.ID, err = res.LastInsertId(); err != nil {
		return Contact{}, fmt.Errorf("add contact %q: %w", c.Name, err)
	}
	c.AddedAt = fromNanos(toNanos(c.AddedAt))
	return c, nil
}

// validateContact checks the fields AddContact stores (name already trimmed).
func validateContact(c Contact) error {
	if len(c.Name) == 0 || len(c.Name) > MaxName {
		return ErrInvalidName
	}
	return validateCard(c)
}

// validateCard checks a contact's card, key, fingerprint, secret ID and address.
func validateCard(c Contact) error {
	switch {
	case len(c.Card) > maxCard:
		return fmt.Errorf("card longer than %d bytes", maxCard)
	case len(c.PublicKey) == 0 || len(c.PublicKey) > maxPublicKey:
		return fmt.Errorf("public key must be 1 to %d bytes", maxPublicKey)
	case len(c.SecretID) != secretIDLen:
		return fmt.Errorf("secret ID must be %d bytes", secretIDLen)
	case len(c.Addr) > maxAddr:
		return fmt.Errorf("address longer than %d bytes", maxAddr)
	}
	sum := sha256.Sum256(c.PublicKey)
	if !bytes.Equal(c.Fingerprint, sum[:]) {
		return errors.New("fingerprint is not the SHA-256 of the public key")
	}
	return nil
}

// Contacts lists all contacts ordered by name.
func (s *Store) Contacts(ctx context.Context) ([]Contact, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT `+contactCols+` FROM contacts ORDER BY name COLLATE NOCASE, name`)
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	defer rows.Close()
	var out []Contact
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, fmt.Errorf("list contacts: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	return out, nil
}

// ContactByName returns the contact with this name (trimmed) or ErrNotFound.
func (s *Store) ContactByName(ctx context.Context, name string) (Contact, error) {
	name = strings.TrimSpace(name)
	return s.contactWhere(ctx, fmt.Sprintf("contact %q", name), `name = ?`, name)
}

// ContactByID returns the contact with this ID or ErrNotFound.
func (s *Store) ContactByID(ctx context.Context, id int64) (Contact, error) {
	return s.contactWhere(ctx, fmt.Sprintf("contact %d", id), `id = ?`, id)
}

// ContactByFingerprint returns the contact whose key has this fingerprint or ErrNotFound.
func (s *Store) ContactByFingerprint(ctx context.Context, fp []byte) (Contact, error) {
	return s.contactWhere(ctx, fmt.Sprintf("contact %x", fp), `fingerprint = ?`, fp)
}

// contactWhere returns the one contact matching cond, or ErrNotFound.
func (s *Store) contactWhere(ctx context.Context, what, cond string, arg any) (Contact, error) {
	st, err := s.prepared(ctx, `SELECT `+contactCols+` FROM contacts WHERE `+cond)
	if err != nil {
		return Contact{}, fmt.Errorf("%s: %w", what, err)
	}
	c, err := scanContact(st.QueryRowContext(ctx, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Contact{}, fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	if err != nil {
		return Contact{}, fmt.Errorf("%s: %w", what, err)
	}
	return c, nil
}

// RemoveContact deletes the contact, its messages and its outbox, or returns ErrNotFound.
func (s *Store) RemoveContact(ctx context.Context, name string) error {
	name = strings.TrimSpace(name)
	res, err := s.exec(ctx, `DELETE FROM contacts WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("remove contact %q: %w", name, err)
	}
	return mustAffect(res, fmt.Sprintf("remove contact %q", name))
}

// SetContactAddr records the address at which the contact was last reached.
func (s *Store) SetContactAddr(ctx context.Context, id int64, addr string) error {
	if len(addr) > maxAddr {
		return fmt.Errorf("set address of contact %d: longer than %d bytes", id, maxAddr)
	}
	res, err := s.exec(ctx, `UPDATE contacts SET addr = ? WHERE id = ?`, addr, id)
	if err != nil {
		return fmt.Errorf("set address of contact %d: %w", id, err)
	}
	return mustAffect(res, fmt.Sprintf("set address of contact %d", id))
}

// mustAffect returns ErrNotFound if res changed no row.
func mustAffect(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanContact(r scanner) (Contact, error) {
	var c Contact
	var added, lastAt int64
	err := r.Scan(&c.ID, &c.Name, &c.Card, &c.PublicKey, &c.Fingerprint, &c.SecretID, &c.Addr, &added, &c.Revoked, &c.LastAddr, &lastAt)
	c.AddedAt, c.LastAddrAt = fromNanos(added), fromNanos(lastAt)
	return c, err
}
