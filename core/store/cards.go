package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// CardUpdate is the user's new card waiting to be acknowledged by one
// contact after a rotation.
type CardUpdate struct {
	ContactID int64
	ID        MessageID // the receiver acks this ID once it stored the card
	Card      string
	PinnedFP  []byte // fingerprint of the user's key the contact still pins
	At        time.Time
}

// maxFingerprint bounds a stored fingerprint of one of the user's keys.
const maxFingerprint = 64

// UpdateContactCard replaces the card, public key, fingerprint and secret ID
// of contact id with those of u, if the contact's key still has the
// fingerprint oldFP (ErrStale otherwise). It fails with ErrNotFound for an
// unknown contact and ErrDuplicateKey if another contact has u's key.
func (s *Store) UpdateContactCard(ctx context.Context, id int64, oldFP []byte, u Contact) (Contact, error) {
	if err := validateCard(u); err != nil {
		return Contact{}, fmt.Errorf("update card of contact %d: %w", id, err)
	}
	var c Contact
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = scanContact(tx.QueryRowContext(ctx, `SELECT `+contactCols+` FROM contacts WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if !bytes.Equal(c.Fingerprint, oldFP) {
			return ErrStale
		}
		_, err = tx.ExecContext(ctx,
			`UPDATE contacts SET card = ?, public_key = ?, fingerprint = ?, secret_id = ? WHERE id = ?`,
			u.Card, u.PublicKey, u.Fingerprint, u.SecretID, id)
		if isUnique(err, "contacts.fingerprint") {
			return ErrDuplicateKey
		}
		c.Card, c.PublicKey, c.Fingerprint, c.SecretID = u.Card, u.PublicKey, u.Fingerprint, u.SecretID
		return err
	})
	if err != nil {
		return Contact{}, fmt.Errorf("update card of contact %d: %w", id, err)
	}
	return c, nil
}

const cardUpdateCols = `contact_id, id, card, pinned_fp, at`

// CardUpdate returns the card update waiting for the contact, or ErrNotFound.
func (s *Store) CardUpdate(ctx context.Context, contactID int64) (CardUpdate, error) {
	var u CardUpdate
	var id []byte
	var at int64
	st, err := s.prepared(ctx, `SELECT `+cardUpdateCols+` FROM card_updates WHERE contact_id = ?`)
	if err == nil {
		err = st.QueryRowContext(ctx, contactID).Scan(&u.ContactID, &id, &u.Card, &u.PinnedFP, &at)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return CardUpdate{}, fmt.Errorf("card update for contact %d: %w", contactID, ErrNotFound)
	}
	if err != nil {
		return CardUpdate{}, fmt.Errorf("card update for contact %d: %w", contactID, err)
	}
	if len(id) != len(u.ID) {
		return CardUpdate{}, fmt.Errorf("card update for contact %d: stored ID has %d bytes", contactID, len(id))
	}
	copy(u.ID[:], id)
	u.At = fromNanos(at)
	return u, nil
}

// CardUpdateContacts returns the IDs of contacts with a card update waiting.
func (s *Store) CardUpdateContacts(ctx context.Context) ([]int64, error) {
	ids, err := s.int64s(ctx, `SELECT contact_id FROM card_updates ORDER BY contact_id`)
	if err != nil {
		return nil, fmt.Errorf("card update contacts: %w", err)
	}
	return ids, nil
}

// PendingContacts returns the IDs of contacts with messages in the outbox or
// a card update waiting: those to reach.
func (s *Store) PendingContacts(ctx context.Context) ([]int64, error) {
	ids, err := s.int64s(ctx, `SELECT contact_id FROM outbox UNION SELECT contact_id FROM card_updates ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("pending contacts: %w", err)
	}
	return ids, nil
}

// PinnedFingerprints returns the distinct fingerprints of the user's keys
// that contacts with a card update waiting still pin.
func (s *Store) PinnedFingerprints(ctx context.Context) ([][]byte, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT pinned_fp FROM card_updates ORDER BY pinned_fp`)
	if err != nil {
		return nil, fmt.Errorf("pinned fingerprints: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var fp []byte
		if err := rows.Scan(&fp); err != nil {
			return nil, fmt.Errorf("pinned fingerprints: %w", err)
		}
		out = append(out, fp)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pinned fingerprints: %w", err)
	}
	return out, nil
}

// CardDelivered records the contact's ack of card update id, whose card has
// the key fingerprint cardFP. If id is the update still waiting, it is done
// and removed (delivered=true). If a newer update replaced it meanwhile, the
// newer one stays, now to be sent to a contact that pins cardFP.
func (b *Batch) CardDelivered(contactID int64, id MessageID, cardFP []byte) (delivered bool, err error) {
	if len(cardFP) == 0 || len(cardFP) > maxFingerprint {
		return false, fmt.Errorf("card delivered: fingerprint of %d bytes", len(cardFP))
	}
	res, err := b.tx.ExecContext(b.ctx, `DELETE FROM card_updates WHERE contact_id = ? AND id = ?`, contactID, id[:])
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err == nil, err
	}
	_, err = b.tx.ExecContext(b.ctx, `UPDATE card_updates SET pinned_fp = ? WHERE contact_id = ?`, cardFP, contactID)
	return false, err
}

// int64s runs a query of one integer column and collects the values.
func (s *Store) int64s(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
