package ui

import (
	"fyne.io/fyne/v2"
)

// callNotifier tells a user who is not looking at tincan that a call rings
// here. Its methods are called on the UI goroutine and never block it.
type callNotifier interface {
	// Ring shows that name is calling.
	Ring(name string)
	// Stop takes the call's notification away: the call stopped ringing.
	Stop()
}

// plainCallNotifier is the fallback where a notification cannot carry
// buttons: Fyne's title-and-body notification, with the window raised so
// the prompt can be answered there.
type plainCallNotifier struct {
	ring func(name string)
}

// Ring sends the plain notification.
func (p plainCallNotifier) Ring(name string) { p.ring(name) }

// Stop does nothing: a plain notification has no buttons left to press.
func (plainCallNotifier) Stop() {}

// ringsFrom reports whether the call ringing here is from name.
func (m *Main) ringsFrom(name string) bool {
	return callRingsHere(m.calls.view) && m.calls.view.Contact == name
}

// ringPlain is how tincan rings without buttons on a notification: Fyne
// notifications take no clicks, so the window itself is the way to answer.
func (m *Main) ringPlain(name string) {
	if !m.ringsFrom(name) || m.attentive() {
		return
	}
	m.app.SendNotification(fyne.NewNotification(name+" is calling", "Answer or decline in tincan."))
	if !m.visible {
		m.show()
		return
	}
	m.w.RequestFocus()
}

// acceptFromNotification is the notification's Accept: it brings the
// window forward and, if name's call still rings, answers it as the
// panel's Accept does (the node is asked off the UI goroutine).
func (m *Main) acceptFromNotification(name string) {
	m.show()
	if m.ringsFrom(name) {
		m.answerCall()
	}
}

// declineFromNotification is the notification's Decline.
func (m *Main) declineFromNotification(name string) {
	if m.ringsFrom(name) {
		m.declineCall()
	}
}
