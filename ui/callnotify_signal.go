//go:build linux

package ui

import (
	"github.com/godbus/dbus/v5"
)

// The freedesktop notification service and the bus's own.
const (
	notifyName  = "org.freedesktop.Notifications"
	notifyPath  = dbus.ObjectPath("/org/freedesktop/Notifications")
	notifyIface = "org.freedesktop.Notifications"
	busName     = "org.freedesktop.DBus"
)

// maxActionKey bounds the action key taken from a signal; tincan's are
// "accept" and "decline".
const maxActionKey = 64

// notifySignal is one signal the notifier follows, read from the bus.
type notifySignal struct {
	kind   string // "action", "closed" or "owner"
	id     uint32 // the notification (action, closed)
	action string // the action key (action)
	owner  string // the service's new unique name, "" if it left (owner)
}

// readNotifySignal reads a signal from the notification server or the bus
// about its name; ok is false for anything else or a body of the wrong shape.
func readNotifySignal(s *dbus.Signal) (notifySignal, bool) {
	if s == nil {
		return notifySignal{}, false
	}
	b := s.Body
	switch s.Name {
	case notifyIface + ".ActionInvoked":
		if s.Path != notifyPath || len(b) != 2 {
			return notifySignal{}, false
		}
		id, ok1 := b[0].(uint32)
		key, ok2 := b[1].(string)
		if !ok1 || !ok2 || id == 0 || len(key) > maxActionKey {
			return notifySignal{}, false
		}
		return notifySignal{kind: "action", id: id, action: key}, true
	case notifyIface + ".NotificationClosed":
		if s.Path != notifyPath || len(b) != 2 {
			return notifySignal{}, false
		}
		id, ok1 := b[0].(uint32)
		_, ok2 := b[1].(uint32)
		if !ok1 || !ok2 || id == 0 {
			return notifySignal{}, false
		}
		return notifySignal{kind: "closed", id: id}, true
	case busName + ".NameOwnerChanged":
		if len(b) != 3 {
			return notifySignal{}, false
		}
		name, ok1 := b[0].(string)
		_, ok2 := b[1].(string)
		owner, ok3 := b[2].(string)
		if !ok1 || !ok2 || !ok3 || name != notifyName {
			return notifySignal{}, false
		}
		return notifySignal{kind: "owner", owner: owner}, true
	}
	return notifySignal{}, false
}
