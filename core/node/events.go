package node

import (
	"context"
	"sync"

	"tincan/core/chat"
	"tincan/core/store"
)

// Subscribe returns a channel of events in the order they happened, and a
// function that ends the subscription. Events queue without bound for a slow
// reader; the channel closes on unsubscribe or when the node closes.
func (n *Node) Subscribe() (<-chan Event, func()) {
	return n.subs.add()
}

// dispatch turns the chat manager's events into views, in order.
func (n *Node) dispatch(ctx context.Context) {
	for {
		ev, ok := n.raw.pop(ctx.Done())
		if !ok {
			return
		}
		if out, ok := n.convert(ctx, ev); ok {
			n.publish(out)
		}
	}
}

func (n *Node) convert(ctx context.Context, ev chat.Event) (Event, bool) {
	switch e := ev.(type) {
	case chat.MessageReceived:
		name, err := n.views.name(ctx, n.st, e.Message.ContactID)
		if err != nil {
			return Event{}, false
		}
		v := messageView(name, e.Message)
		return Event{Message: &v}, true
	case chat.StateChanged:
		name, err := n.views.name(ctx, n.st, e.ContactID)
		if err != nil {
			return Event{}, false
		}
		m, ok := n.views.outgoing(e.ID, e.State)
		if !ok || m.ContactID != e.ContactID {
			if m, err = n.st.MessageByID(ctx, e.ContactID, store.Outgoing, e.ID); err != nil {
				return Event{}, false
			}
		}
		m.State = e.State
		v := messageView(name, m)
		return Event{Message: &v}, true
	case chat.CardUpdated:
		n.contactsChanged(ctx) // a new key means a new fingerprint to answer
		return Event{Contacts: true}, true
	case chat.CardDelivered:
		n.cardDelivered(ctx)
		return Event{}, false
	case chat.PresenceChanged:
		n.calls.onPresence(e)
		c, err := n.st.ContactByID(ctx, e.ContactID)
		if err != nil {
			return Event{}, false
		}
		v, err := n.contactView(ctx, c)
		if err != nil {
			return Event{}, false
		}
		v.Online, v.Path = e.Online, e.Path
		v.Remote, v.Relay = "", ""
		if e.Online {
			v.Remote, v.Relay = e.Addr, e.Relay
		}
		return Event{Presence: &v}, true
	}
	return Event{}, false
}

func (n *Node) publish(ev Event) { n.subs.publish(ev) }

// subscribers fans events out, each subscriber with its own unbounded queue.
type subscribers struct {
	mu     sync.Mutex
	set    map[*subscriber]struct{}
	closed bool
}

type subscriber struct {
	q    *queue[Event]
	done chan struct{}
	once sync.Once
}

func (s *subscribers) add() (<-chan Event, func()) {
	ch := make(chan Event)
	sub := &subscriber{q: newQueue[Event](), done: make(chan struct{})}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		close(ch)
		return ch, func() {}
	}
	if s.set == nil {
		s.set = make(map[*subscriber]struct{})
	}
	s.set[sub] = struct{}{}
	s.mu.Unlock()
	go func() {
		defer close(ch)
		for {
			ev, ok := sub.q.pop(sub.done)
			if !ok {
				return
			}
			select {
			case ch <- ev:
			case <-sub.done:
				return
			}
		}
	}()
	cancel := func() {
		s.mu.Lock()
		delete(s.set, sub)
		s.mu.Unlock()
		sub.once.Do(func() { close(sub.done) })
	}
	return ch, cancel
}

func (s *subscribers) publish(ev Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sub := range s.set {
		sub.q.push(ev)
	}
}

// closeAll ends every subscription; events not yet read are dropped.
func (s *subscribers) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for sub := range s.set {
		sub.q.close()
		sub.once.Do(func() { close(sub.done) })
	}
	s.set = nil
}
