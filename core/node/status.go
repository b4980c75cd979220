package node

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"
)

// Status reports the node's identity, listener and contacts.
func (n *Node) Status(ctx context.Context) (Status, error) {
	cs, err := n.Contacts(ctx)
	if err != nil {
		var ov *OverlayStatus
		if n.ov != nil {
			ov = n.ov.status()
		}
		return Status{Overlay: ov}, err
	}
	ids, err := n.st.OutboxContacts(ctx)
	if err != nil {
		var ov *OverlayStatus
		if n.ov != nil {
			ov = n.ov.status()
		}
		return Status{Overlay: ov}, fmt.Errorf("outbox: %w", err)
	}
	pending := 0
	for _, id := range ids {
		ms, err := n.st.Outbox(ctx, id)
		if err != nil {
			var ov *OverlayStatus
			if n.ov != nil {
				ov = n.ov.status()
			}
			return Status{Overlay: ov}, fmt.Errorf("outbox: %w", err)
		}
		pending += len(ms)
	}
	var ov *OverlayStatus
	if n.ov != nil {
		ov = n.ov.status()
	}
	cv := n.CurrentCall()
	return Status{Overlay: ov, Relay: n.relay.status(), NAT: n.natStatus(), Call: &cv,
		Name: n.Name(), Fingerprint: hex.EncodeToString(n.fingerprint()),
		Card: n.Card(), Listen: n.ListenAddr(), Keystore: n.ks.Kind(), Home: n.home,
		Contacts: cs, Outbox: pending, Uptime: time.Since(n.started).Seconds(),
	}, nil
}
