package node

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"tincan/core/contact"
	"tincan/core/store"
)

// AddContact adds the person whose card is given, under name (the card's own
// name when empty), reachable at addr ("host:port", optional until the
// overlay finds contacts by itself).
func (n *Node) AddContact(ctx context.Context, name, card, addr string) (ContactView, error) {
	c, err := contact.Parse(card)
	if err != nil {
		return ContactView{}, badInput(err)
	}
	fp := c.Fingerprint()
	if bytes.Equal(fp[:], n.fingerprint()) {
		return ContactView{}, badInput(ErrSelf)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = c.Name
	}
	if name == "" {
		return ContactView{}, badInput(errors.New("give the contact a name"))
	}
	addr = strings.TrimSpace(addr)
	if addr != "" {
		if err := checkAddr(addr); err != nil {
			return ContactView{}, badInput(err)
		}
	}
	der, err := x509.MarshalPKIXPublicKey(c.PublicKey)
	if err != nil {
		return ContactView{}, fmt.Errorf("encode key: %w", err)
	}
	sc, err := n.st.AddContact(ctx, store.Contact{
		Name: name, Card: c.String(), PublicKey: der, Fingerprint: fp[:],
		SecretID: c.SecretID[:], Addr: addr,
	})
	switch {
	case errors.Is(err, store.ErrDuplicateKey):
		if old, lerr := n.st.ContactByFingerprint(ctx, fp[:]); lerr == nil {
			return ContactView{}, badInput(fmt.Errorf("this card is already in your contacts as %q", old.Name))
		}
		return ContactView{}, badInput(err)
	case errors.Is(err, store.ErrDuplicateName):
		return ContactView{}, badInput(fmt.Errorf("you already have a contact named %q", name))
	case err != nil:
		if strings.Contains(err.Error(), "name") {
			return ContactView{}, badInput(err)
		}
		return ContactView{}, fmt.Errorf("add contact: %w", err)
	}
	n.contactsChanged(ctx)
	n.chat.Kick(sc.ID)
	n.publish(Event{Contacts: true})
	return n.contactView(ctx, sc)
}

// checkAddr accepts "host:port" with a numeric port.
func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q must be host:port: %w", addr, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 || host == "" {
		return fmt.Errorf("address %q must be host:port with a port from 1 to 65535", addr)
	}
	return nil
}

// RemoveContact deletes a contact with its history and pending messages.
func (n *Node) RemoveContact(ctx context.Context, name string) error {
	c, err := n.contactByName(ctx, name)
	if err != nil {
		return err
	}
	n.chat.Forget(c.ID)
	if err := n.st.RemoveContact(ctx, c.Name); err != nil {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	n.contactsChanged(ctx)
	n.publish(Event{Contacts: true})
	return nil
}

// Contacts lists the contacts with their current state.
func (n *Node) Contacts(ctx context.Context) ([]ContactView, error) {
	cs, err := n.st.Contacts(ctx)
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	out := make([]ContactView, 0, len(cs))
	for _, c := range cs {
		v, err := n.contactView(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (n *Node) contactByName(ctx context.Context, name string) (store.Contact, error) {
	c, err := n.st.ContactByName(ctx, strings.TrimSpace(name))
	if errors.Is(err, store.ErrNotFound) {
		return c, badInput(fmt.Errorf("%w: %q", ErrUnknownContact, name))
	}
	if err != nil {
		return c, fmt.Errorf("look up %s: %w", name, err)
	}
	return c, nil
}

func (n *Node) contactView(ctx context.Context, c store.Contact) (ContactView, error) {
	unread, err := n.st.Unread(ctx, c.ID)
	if err != nil {
		return ContactView{}, fmt.Errorf("unread count of %s: %w", c.Name, err)
	}
	p := n.chat.Presence(c.ID)
	v := ContactView{
		Name: c.Name, Fingerprint: hex.EncodeToString(c.Fingerprint),
		Online: p.Online, Path: p.Path, Addr: c.Addr, Unread: unread, AddedAt: c.AddedAt,
		Revoked: c.Revoked,
	}
	if v.Path == "" {
		v.Path = "none"
	}
	if p.Online {
		v.Remote, v.Relay = p.Addr, p.Relay
	}
	v.RelayConsent = n.relay.consentState(ctx, c)
	if n.ov != nil {
		if r, ok := n.ov.reachOf(c.ID); ok {
			at := r.At
			v.Via, v.LastReached = r.Via, &at
		}
	}
	return v, nil
}

func (n *Node) fingerprint() []byte {
	_, c := n.self()
	fp := c.Fingerprint()
	return fp[:]
}

// contactsChanged tells the parts that keep a copy of who our contacts are.
func (n *Node) contactsChanged(ctx context.Context) {
	n.views.forgetNames()
	if n.ov != nil {
		if err := n.ov.refreshContacts(ctx); err != nil {
			n.log.Error("refresh overlay contacts", "err", err)
		}
	}
}
