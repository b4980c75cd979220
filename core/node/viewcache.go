package node

import (
	"context"
	"sync"

	"tincan/core/store"
)

// The view cache holds at most maxOutViews outgoing messages, and at most
// maxOutBytes of their text (messages to a contact who stays offline wait
// there until the cache forgets them or they are delivered).
const (
	maxOutViews = 4096
	maxOutBytes = 1 << 20
)

// viewCache spares the event path its database reads: a message event
// needs the contact's name and, for a state change, the message itself.
// Names are forgotten whenever a contact is added, renamed or removed;
// outgoing messages are kept from Send until they are delivered (or until
// the cache is full, when the store is asked as before).
type viewCache struct {
	mu    sync.Mutex
	gen   uint64 // counts forgetNames, so a lookup racing a rename is not kept
	names map[int64]string
	out   map[store.MessageID]store.Message
	bytes int // text held in out
}

// name returns the contact's name, from the cache or the store.
func (vc *viewCache) name(ctx context.Context, st *store.Store, id int64) (string, error) {
	vc.mu.Lock()
	name, ok := vc.names[id]
	gen := vc.gen
	vc.mu.Unlock()
	if ok {
		return name, nil
	}
	c, err := st.ContactByID(ctx, id)
	if err != nil {
		return "", err
	}
	vc.mu.Lock()
	if vc.names == nil {
		vc.names = map[int64]string{}
	}
	if vc.gen == gen {
		vc.names[id] = c.Name
	}
	vc.mu.Unlock()
	return c.Name, nil
}

// forgetNames drops every cached name (a contact was added, renamed or removed).
func (vc *viewCache) forgetNames() {
	vc.mu.Lock()
	clear(vc.names)
	vc.gen++
	vc.mu.Unlock()
}

// sending keeps an outgoing message until it is delivered.
func (vc *viewCache) sending(m store.Message) {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	if vc.out == nil {
		vc.out = map[store.MessageID]store.Message{}
	}
	if len(vc.out) < maxOutViews && vc.bytes+len(m.Body) <= maxOutBytes {
		vc.out[m.ID] = m
		vc.bytes += len(m.Body)
	}
}

// outgoing returns a kept outgoing message; a Delivered one leaves the cache.
func (vc *viewCache) outgoing(id store.MessageID, state store.State) (store.Message, bool) {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	m, ok := vc.out[id]
	if ok && state == store.Delivered {
		delete(vc.out, id)
		vc.bytes -= len(m.Body)
	}
	return m, ok
}
