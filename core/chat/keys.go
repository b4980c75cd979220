package chat

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"

	"tincan/core/identity"
	"tincan/core/store"
)

// newKeys prepares the TLS identities of the current key and retired keys.
func newKeys(id *identity.Identity, retired []*rsa.PrivateKey) (tlsIdentity, map[identity.Fingerprint]tlsIdentity, error) {
	cur, err := newTLSIdentity(id)
	if err != nil {
		return tlsIdentity{}, nil, err
	}
	old := make(map[identity.Fingerprint]tlsIdentity, len(retired))
	for _, k := range retired {
		if k == nil {
			continue
		}
		ti, err := newTLSIdentity(&identity.Identity{Name: id.Name, Key: k})
		if err != nil {
			return tlsIdentity{}, nil, fmt.Errorf("retired key: %w", err)
		}
		if ti.fp != cur.fp {
			old[ti.fp] = ti
		}
	}
	return cur, old, nil
}

// SetIdentity makes id the key presented from now on (after a rotation), and
// retired the keys still presented to contacts whose card update waits and
// who pin one of them. Live sessions keep the key they started with.
func (m *Manager) SetIdentity(id *identity.Identity, retired []*rsa.PrivateKey) error {
	if id == nil || id.Key == nil {
		return errors.New("chat: set identity: no key")
	}
	cur, old, err := newKeys(id, retired)
	if err != nil {
		return fmt.Errorf("chat: set identity: %w", err)
	}
	m.keyMu.Lock()
	m.tls, m.old = cur, old
	m.keyMu.Unlock()
	return nil
}

// current is the key presented to anyone who does not pin an older one.
func (m *Manager) current() tlsIdentity {
	m.keyMu.RLock()
	defer m.keyMu.RUnlock()
	return m.tls
}

// retiredKey returns the retired key with fingerprint fp, if we still hold it.
func (m *Manager) retiredKey(fp identity.Fingerprint) (tlsIdentity, bool) {
	m.keyMu.RLock()
	defer m.keyMu.RUnlock()
	ti, ok := m.old[fp]
	return ti, ok
}

// dialKey is the key to present when dialing the contact. While a card
// update waits, the contact may still pin a key we rotated away from; every
// other attempt uses the current key, in case the contact took the new card
// but its ack was lost.
func (p *peer) dialKey() tlsIdentity {
	cur := p.m.current()
	u, err := p.m.cfg.Store.CardUpdate(p.ctx, p.id)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) && p.ctx.Err() == nil {
			p.log.Error("load card update", "err", err)
		}
		return cur
	}
	var fp identity.Fingerprint
	if p.attempts%2 == 1 || len(u.PinnedFP) != len(fp) {
		return cur
	}
	copy(fp[:], u.PinnedFP)
	if ti, ok := p.m.retiredKey(fp); ok {
		return ti
	}
	return cur
}

// pendingContacts lists the contacts with messages or a card update waiting.
func (m *Manager) pendingContacts(ctx context.Context) ([]int64, error) {
	return m.cfg.Store.PendingContacts(ctx)
}
