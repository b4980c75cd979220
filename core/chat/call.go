package chat

import (
	"errors"
	"fmt"

	"tincan/core/store"
	"tincan/core/wire"
)

// CallHandler receives the call frames that arrive on contacts' sessions.
// Its methods run on a session's read goroutine: they must not block.
type CallHandler interface {
	// OnCallSignal takes a call-signalling frame from the contact.
	OnCallSignal(contactID int64, c wire.Call)
	// OnCallMedia takes a sealed media packet the contact sent over the
	// session (no UDP path); the handler may keep packet.
	OnCallMedia(contactID int64, packet []byte)
}

// ErrNoSession is returned when a call frame is sent to a contact with no
// live session.
var ErrNoSession = errors.New("chat: no live session with the contact")

// maxMediaQueued bounds the frames waiting in a session's queue for a media
// frame to be queued: past it, media is dropped (late audio is useless) and
// the session is not put at risk of ErrQueueFull.
const maxMediaQueued = 64

// SendCall queues a call-signalling frame on the contact's live session.
// It never blocks; it fails with ErrNoSession when the contact is offline.
func (m *Manager) SendCall(contactID int64, c wire.Call) error {
	s := m.liveSession(contactID)
	if s == nil {
		return ErrNoSession
	}
	if err := s.send(c, store.MessageID{}); err != nil {
		return fmt.Errorf("send call %s: %w", c.Kind, err)
	}
	return nil
}

// SendMedia queues a sealed media packet on the contact's live session,
// dropping it when the session is offline or backed up. It never blocks and
// reports whether the packet was queued.
func (m *Manager) SendMedia(contactID int64, packet []byte) bool {
	s := m.liveSession(contactID)
	if s == nil {
		return false
	}
	return s.sendMedia(packet)
}

// SessionPath reports the path of the contact's live session (PathNone
// when offline) and the relay's address when relayed.
func (m *Manager) SessionPath(contactID int64) (path, relay string) {
	s := m.liveSession(contactID)
	if s == nil {
		return PathNone, ""
	}
	return s.path, s.relay
}

func (m *Manager) liveSession(contactID int64) *session {
	m.mu.Lock()
	p := m.peers[contactID]
	m.mu.Unlock()
	if p == nil {
		return nil
	}
	return p.live.Load()
}

// sendMedia queues a media frame unless the queue is already long.
func (s *session) sendMedia(packet []byte) bool {
	b, err := wire.Media{Packet: packet}.Marshal()
	if err != nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing || len(s.queue) >= maxMediaQueued {
		return false
	}
	s.queue = append(s.queue, outFrame{t: wire.TypeMedia, b: b})
	s.signal()
	return true
}
