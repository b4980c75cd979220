package node

import (
	"bytes"
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"
	"time"

	"tincan/core/contact"
	"tincan/core/identity"
	"tincan/core/store"
)

// RotateResult is what `tincan rotate --json` prints: the new card, the
// contacts it is sent to and those who can no longer reach the user. JSON
// names are part of the CLI contract.
type RotateResult struct {
	Card    string   `json:"card"`
	Kept    []string `json:"kept"`
	Revoked []string `json:"revoked"`
}

// ErrRevoked means the contact was left out of a rotation: it can no longer
// reach the user, and nothing is sent to it.
var ErrRevoked = errors.New("contact was revoked")

// Rotate gives the user a new secret ID (and, with newKey, a new RSA-3072
// key), saves it, and sends the new card over the encrypted sessions to the
// contacts named in keep, now or when they next connect. Every other contact
// is revoked: its session ends, its history stays, and its sessions are
// refused from now on. An unknown or already revoked name in keep is bad
// input, and then nothing changes.
func (n *Node) Rotate(ctx context.Context, keep []string, newKey bool) (RotateResult, error) {
	// Bad input fails fast. A new key takes seconds: it is made before
	// taking the lock, which the event loop also takes when a contact
	// acknowledges a card; the plan is made again under the lock.
	if _, _, err := n.rotationPlan(ctx, keep); err != nil {
		return RotateResult{}, err
	}
	old, _ := n.self()
	next, err := identity.Rotate(old, newKey)
	if err != nil {
		return RotateResult{}, fmt.Errorf("rotate: %w", err)
	}
	n.rotMu.Lock()
	defer n.rotMu.Unlock()
	if cur, _ := n.self(); cur != old {
		return RotateResult{}, errors.New("rotate: another rotation finished meanwhile; try again")
	}
	kept, revoked, err := n.rotationPlan(ctx, keep)
	if err != nil {
		return RotateResult{}, err
	}
	oldFP := old.Fingerprint()
	retired, err := n.retiredKeys(ctx, n.st, next)
	if err != nil {
		return RotateResult{}, err
	}
	if newKey {
		// Kept contacts pin the old key until they have the new card: keep
		// it, sealed, before the new identity replaces it.
		retired = append(retired, old.Key)
		if len(retired) > identity.MaxRetired {
			return RotateResult{}, fmt.Errorf("rotate: %d earlier keys still wait for contacts to take their new card; "+
				"rotate without --new-key, or when they have been online", len(retired)-1)
		}
		if err := identity.SaveRetired(n.home, n.ks, retired); err != nil {
			return RotateResult{}, fmt.Errorf("rotate: %w", err)
		}
	}
	card := contact.CardOf(next).String()
	plan := store.Rotation{Card: card, PinnedFP: oldFP[:], Keep: ids(kept), Revoke: ids(revoked)}
	if err := n.st.BeginRotation(ctx, plan); err != nil {
		return RotateResult{}, fmt.Errorf("rotate: %w", err)
	}
	if err := identity.Save(n.home, n.ks, next); err != nil {
		if aerr := n.st.AbortRotation(context.WithoutCancel(ctx)); aerr != nil {
			n.log.Error("drop the journal of a failed rotation", "err", aerr)
		}
		return RotateResult{}, fmt.Errorf("rotate: %w", err)
	}
	// From here the new identity is on disk: finish even if ctx ends (a
	// restart would finish it from the journal otherwise).
	ctx = context.WithoutCancel(ctx)
	n.setSelf(next)
	if n.ov != nil {
		n.ov.userChanged()
	}
	if _, err := n.st.FinishRotation(ctx); err != nil {
		return RotateResult{}, fmt.Errorf("rotate: new identity saved, contacts not yet updated (the next start will): %w", err)
	}
	n.noteRevoked(ctx, revoked, time.Now())
	if err := n.chat.SetIdentity(next, retired); err != nil {
		return RotateResult{}, fmt.Errorf("rotate: %w", err)
	}
	for _, c := range revoked {
		n.chat.Forget(c.ID)
	}
	for _, c := range kept {
		n.chat.Kick(c.ID)
	}
	if err := n.pruneRetired(ctx); err != nil {
		n.log.Warn("drop retired keys no contact pins", "err", err)
	}
	n.contactsChanged(ctx)
	n.log.Info("rotated", "new_key", newKey, "kept", len(kept), "revoked", len(revoked))
	n.publish(Event{Contacts: true})
	return RotateResult{Card: card, Kept: names(kept), Revoked: names(revoked)}, nil
}

// rotationPlan splits the contacts not yet revoked into those named in keep
// and the rest.
func (n *Node) rotationPlan(ctx context.Context, keep []string) (kept, revoked []store.Contact, err error) {
	cs, err := n.st.Contacts(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("rotate: %w", err)
	}
	want := map[string]bool{}
	for _, name := range keep {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		c, err := n.contactByName(ctx, name)
		if err != nil {
			return nil, nil, err
		}
		if c.Revoked {
			return nil, nil, badInput(fmt.Errorf("%w: %s cannot be kept (an earlier rotation left them out)", ErrRevoked, c.Name))
		}
		want[c.Name] = true
	}
	for _, c := range cs {
		switch {
		case c.Revoked:
		case want[c.Name]:
			kept = append(kept, c)
		default:
			revoked = append(revoked, c)
		}
	}
	return kept, revoked, nil
}

func ids(cs []store.Contact) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func names(cs []store.Contact) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

// self returns the user's identity and card; a rotation replaces them.
func (n *Node) self() (*identity.Identity, contact.Card) {
	n.selfMu.RLock()
	defer n.selfMu.RUnlock()
	return n.id, n.card
}

func (n *Node) setSelf(id *identity.Identity) {
	n.selfMu.Lock()
	defer n.selfMu.Unlock()
	n.id, n.card = id, contact.CardOf(id)
}

// resumeRotation runs at start, before the chat manager: it finishes a
// rotation that a crash interrupted after the new identity was saved, or
// drops one interrupted before, and returns the retired keys that contacts
// with a card update waiting still pin.
func (n *Node) resumeRotation(ctx context.Context, st *store.Store) ([]*rsa.PrivateKey, error) {
	r, err := st.PendingRotation(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, fmt.Errorf("resume rotation: %w", err)
	case r.Card == n.Card():
		if _, err := st.FinishRotation(ctx); err != nil {
			return nil, fmt.Errorf("resume rotation: %w", err)
		}
		n.log.Warn("finished a rotation that was interrupted", "kept", len(r.Keep), "revoked", len(r.Revoke))
	default:
		if err := st.AbortRotation(ctx); err != nil {
			return nil, fmt.Errorf("resume rotation: %w", err)
		}
		n.log.Warn("a rotation was interrupted before the new identity was saved; it was not applied: rotate again")
	}
	id, _ := n.self()
	retired, err := n.retiredKeys(ctx, st, id)
	if err != nil {
		return nil, err
	}
	if _, err := n.saveRetiredIfFewer(retired); err != nil {
		return nil, err
	}
	return retired, nil
}

// retiredKeys returns the saved retired keys that some contact with a card
// update waiting still pins, other than cur's key.
func (n *Node) retiredKeys(ctx context.Context, st *store.Store, cur *identity.Identity) ([]*rsa.PrivateKey, error) {
	keys, err := identity.LoadRetired(n.home, n.ks)
	if err != nil {
		return nil, fmt.Errorf("retired keys: %w", err)
	}
	pinned, err := st.PinnedFingerprints(ctx)
	if err != nil {
		return nil, fmt.Errorf("retired keys: %w", err)
	}
	curFP := cur.Fingerprint()
	var out []*rsa.PrivateKey
	for _, k := range keys {
		fp := identity.FingerprintOf(&k.PublicKey)
		if fp == curFP {
			continue
		}
		for _, p := range pinned {
			if bytes.Equal(p, fp[:]) {
				out = append(out, k)
				break
			}
		}
	}
	return out, nil
}

// saveRetiredIfFewer saves keys, a subset of the retired keys, when some
// were dropped, and reports whether it did.
func (n *Node) saveRetiredIfFewer(keys []*rsa.PrivateKey) (bool, error) {
	saved, err := identity.LoadRetired(n.home, n.ks)
	if err != nil {
		return false, fmt.Errorf("retired keys: %w", err)
	}
	if len(saved) == len(keys) {
		return false, nil
	}
	if err := identity.SaveRetired(n.home, n.ks, keys); err != nil {
		return false, fmt.Errorf("retired keys: %w", err)
	}
	return true, nil
}

// pruneRetired forgets retired keys that no contact pins any more (they all
// have the card that replaced them). rotMu is held.
func (n *Node) pruneRetired(ctx context.Context) error {
	id, _ := n.self()
	keys, err := n.retiredKeys(ctx, n.st, id)
	if err != nil {
		return err
	}
	if changed, err := n.saveRetiredIfFewer(keys); err != nil || !changed {
		return err
	}
	if err := n.chat.SetIdentity(id, keys); err != nil {
		return err
	}
	n.log.Info("dropped retired keys that no contact pins any more", "left", len(keys))
	return nil
}

// cardDelivered runs when a contact acknowledged our new card.
func (n *Node) cardDelivered(ctx context.Context) {
	n.rotMu.Lock()
	defer n.rotMu.Unlock()
	if err := n.pruneRetired(ctx); err != nil && ctx.Err() == nil {
		n.log.Warn("drop retired keys no contact pins", "err", err)
	}
}
