package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Rotation is what the user's rotation changes in the contact list: the new
// card goes to the kept contacts, the others are revoked. It is journaled
// (BeginRotation) before the new identity is saved and applied
// (FinishRotation) after, so a crash in between can be finished on restart.
type Rotation struct {
	Card     string  // the user's new card
	PinnedFP []byte  // fingerprint of the user's key before the rotation
	Keep     []int64 // contacts that get Card
	Revoke   []int64 // contacts that can no longer reach the user
}

// BeginRotation journals r, replacing any earlier journal. Every contact in
// Keep and Revoke must exist (ErrNotFound otherwise), and none in both.
func (s *Store) BeginRotation(ctx context.Context, r Rotation) error {
	if err := validateRotation(r); err != nil {
		return fmt.Errorf("begin rotation: %w", err)
	}
	keep, err := json.Marshal(nonNil(r.Keep))
	if err != nil {
		return fmt.Errorf("begin rotation: %w", err)
	}
	revoke, err := json.Marshal(nonNil(r.Revoke))
	if err != nil {
		return fmt.Errorf("begin rotation: %w", err)
	}
	err = s.writeTx(ctx, func(tx *sql.Tx) error {
		for _, id := range append(slices.Clone(r.Keep), r.Revoke...) {
			if err := s.requireContact(ctx, tx, id); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx,
			`INSERT INTO rotation (one, card, pinned_fp, keep, revoke) VALUES (1, ?, ?, ?, ?)
			 ON CONFLICT (one) DO UPDATE SET card = excluded.card, pinned_fp = excluded.pinned_fp,
			   keep = excluded.keep, revoke = excluded.revoke`,
			r.Card, r.PinnedFP, string(keep), string(revoke))
		return err
	})
	if err != nil {
		return fmt.Errorf("begin rotation: %w", err)
	}
	return nil
}

func validateRotation(r Rotation) error {
	switch {
	case r.Card == "" || len(r.Card) > maxCard:
		return fmt.Errorf("card must be 1 to %d bytes", maxCard)
	case len(r.PinnedFP) == 0 || len(r.PinnedFP) > maxFingerprint:
		return fmt.Errorf("fingerprint must be 1 to %d bytes", maxFingerprint)
	}
	for _, id := range r.Keep {
		if slices.Contains(r.Revoke, id) {
			return fmt.Errorf("contact %d is both kept and revoked", id)
		}
	}
	return nil
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// PendingRotation returns the journaled rotation, or ErrNotFound.
func (s *Store) PendingRotation(ctx context.Context) (Rotation, error) {
	r, err := pendingRotation(ctx, s.db)
	if err != nil {
		return Rotation{}, fmt.Errorf("pending rotation: %w", err)
	}
	return r, nil
}

func pendingRotation(ctx context.Context, q querier) (Rotation, error) {
	var r Rotation
	var keep, revoke string
	err := q.QueryRowContext(ctx, `SELECT card, pinned_fp, keep, revoke FROM rotation WHERE one = 1`).
		Scan(&r.Card, &r.PinnedFP, &keep, &revoke)
	if errors.Is(err, sql.ErrNoRows) {
		return Rotation{}, ErrNotFound
	}
	if err != nil {
		return Rotation{}, err
	}
	if err := json.Unmarshal([]byte(keep), &r.Keep); err != nil {
		return Rotation{}, fmt.Errorf("kept contacts: %w", err)
	}
	if err := json.Unmarshal([]byte(revoke), &r.Revoke); err != nil {
		return Rotation{}, fmt.Errorf("revoked contacts: %w", err)
	}
	return r, nil
}

// FinishRotation applies the journaled rotation in one transaction and
// removes the journal: each kept contact gets a card update (replacing a
// waiting one, whose pinned key it keeps), each revoked contact is marked
// revoked and loses any waiting update. Contacts removed since the journal
// was written are skipped; revoked ones are not given the card. It returns
// the rotation applied, or ErrNotFound if none is journaled.
func (s *Store) FinishRotation(ctx context.Context) (Rotation, error) {
	var r Rotation
	now := toNanos(time.Now())
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		if r, err = pendingRotation(ctx, tx); err != nil {
			return err
		}
		for _, id := range r.Revoke {
			if _, err := tx.ExecContext(ctx, `UPDATE contacts SET revoked = 1 WHERE id = ?`, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM card_updates WHERE contact_id = ?`, id); err != nil {
				return err
			}
		}
		for _, id := range r.Keep {
			uid := newMessageID()
			_, err := tx.ExecContext(ctx,
				`INSERT INTO card_updates (contact_id, id, card, pinned_fp, at)
				 SELECT id, ?, ?, ?, ? FROM contacts WHERE id = ? AND revoked = 0
				 ON CONFLICT (contact_id) DO UPDATE SET id = excluded.id, card = excluded.card, at = excluded.at`,
				uid[:], r.Card, r.PinnedFP, now, id)
			if err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM rotation`)
		return err
	})
	if err != nil {
		return Rotation{}, fmt.Errorf("finish rotation: %w", err)
	}
	return r, nil
}

// AbortRotation drops the journaled rotation, if any, changing nothing else.
func (s *Store) AbortRotation(ctx context.Context) error {
	if _, err := s.exec(ctx, `DELETE FROM rotation`); err != nil {
		return fmt.Errorf("abort rotation: %w", err)
	}
	return nil
}
