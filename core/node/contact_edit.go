package node

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"tincan/core/store"
)

// settingRevokedAt prefixes the setting that keeps when a contact (by
// fingerprint) was revoked, for the conversation to say so.
const settingRevokedAt = "revoked-at:"

// SetContactAddress gives the contact called name the address addr
// ("host:port") to be reached at, or none when addr is empty. The next
// connection attempt uses it.
func (n *Node) SetContactAddress(ctx context.Context, name, addr string) error {
	c, err := n.contactByName(ctx, name)
	if err != nil {
		return err
	}
	addr = strings.TrimSpace(addr)
	if addr != "" {
		if err := checkAddr(addr); err != nil {
			return badInput(err)
		}
	}
	if err := n.st.SetContactAddr(ctx, c.ID, addr); err != nil {
		return fmt.Errorf("set the address of %s: %w", c.Name, err)
	}
	n.contactsChanged(ctx)
	if !c.Revoked {
		n.chat.Kick(c.ID)
	}
	n.publish(Event{Contacts: true})
	return nil
}

// RevokedAt returns when the contact called name was revoked by a
// rotation, and false if it was not or the time was not kept (a rotation
// from before the time was recorded).
func (n *Node) RevokedAt(ctx context.Context, name string) (time.Time, bool, error) {
	c, err := n.contactByName(ctx, name)
	if err != nil {
		return time.Time{}, false, err
	}
	if !c.Revoked {
		return time.Time{}, false, nil
	}
	v, err := n.st.Setting(ctx, settingRevokedAt+hex.EncodeToString(c.Fingerprint))
	if errors.Is(err, store.ErrNotFound) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("when %s was revoked: %w", c.Name, err)
	}
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, false, nil
	}
	return at, true, nil
}

// noteRevoked records that the contacts were revoked at at; a failure is
// logged, as it only loses the date shown in the conversation.
func (n *Node) noteRevoked(ctx context.Context, revoked []store.Contact, at time.Time) {
	for _, c := range revoked {
		key := settingRevokedAt + hex.EncodeToString(c.Fingerprint)
		if err := n.st.SetSetting(ctx, key, at.UTC().Format(time.RFC3339)); err != nil {
			n.log.Warn("record when a contact was revoked", "contact", c.Name, "err", err)
		}
	}
}

// RenameContact gives the contact called name the name newName.
func (n *Node) RenameContact(ctx context.Context, name, newName string) error {
	c, err := n.contactByName(ctx, name)
	if err != nil {
		return err
	}
	switch err := n.st.RenameContact(ctx, c.ID, newName); {
	case errors.Is(err, store.ErrDuplicateName):
		return badInput(fmt.Errorf("you already have a contact named %q", strings.TrimSpace(newName)))
	case errors.Is(err, store.ErrInvalidName):
		return badInput(fmt.Errorf("a contact's name must be 1 to %d bytes", store.MaxName))
	case err != nil:
		return fmt.Errorf("rename %s: %w", name, err)
	}
	n.contactsChanged(ctx)
	n.publish(Event{Contacts: true})
	return nil
}
