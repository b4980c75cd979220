package ui

import (
	"tincan/core/node"
)

// notifyChars is how much of a message a notification shows.
const notifyChars = 120

// onEvent shows one node event; it runs on the UI goroutine.
func (m *Main) onEvent(ev node.Event) {
	switch {
	case ev.Message != nil:
		m.onMessage(*ev.Message)
	case ev.Presence != nil:
		m.onPresence(*ev.Presence)
	case ev.Contacts:
		m.reloadContacts()
	case ev.RelayAsk != nil:
		m.onRelayAsk(*ev.RelayAsk)
	case ev.Call != nil:
		m.onCall(*ev.Call)
	}
}

func (m *Main) onMessage(msg node.MessageView) {
	open := msg.Contact == m.selected
	if open {
		m.chat.upsert(msg)
	}
	m.contacts.noteMessage(msg)
	if !incoming(msg) {
		return
	}
	if open && m.attentive() {
		m.markRead(msg.Contact)
		return
	}
	m.notifyMessage(msg) // grouped per conversation; call lines notify as the call ends
	m.reloadContacts()
}

func (m *Main) onPresence(c node.ContactView) {
	shown, ok := m.contacts.presence(c)
	if !ok {
		m.reloadContacts()
		return
	}
	if c.Name == m.selected {
		m.chat.show(shown)
	}
	m.updateTray()
}
