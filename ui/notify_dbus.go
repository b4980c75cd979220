//go:build linux

package ui

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"github.com/godbus/dbus/v5"
)

// messageExpire is how long a message notification stays on screen.
const messageExpire = 10 * time.Second

// newMessageNotifier is the freedesktop notifier when a session bus is
// set (one replaced notification per conversation, expiring, with the
// app's icon), else Fyne's. Its goroutine runs on m.work, so Stop waits.
func (m *Main) newMessageNotifier() messageNotifier {
	plain := plainNotifier{app: m.app}
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" || len(addr) > maxBusAddress {
		return plain
	}
	n := newDBusMessageNotifier(addr, m.opts.Icon, plain, m.work.toUI, slog.Default().With("part", "notify"))
	m.work.loop(n.run)
	return n
}

// noteWish is what should show for one conversation.
type noteWish struct {
	title, body string
	close       bool // take it away instead
}

// dbusMessageNotifier keeps one notification per conversation on the
// freedesktop notification server, replacing it (replaces_id) as messages
// arrive. Show and Close (UI goroutine) record the wish under mu and wake
// run; run owns the connection and the ids shown.
type dbusMessageNotifier struct {
	bus      string
	icon     fyne.Resource
	fallback messageNotifier
	toUI     func(func())
	log      *slog.Logger
	wake     chan struct{}
	failed   atomic.Bool // no server: Show falls back
	sent     atomic.Int32

	mu    sync.Mutex
	wants map[string]noteWish
	order []string // contacts with a wish, first come first
}

func newDBusMessageNotifier(bus string, icon fyne.Resource, fallback messageNotifier, toUI func(func()),
	log *slog.Logger) *dbusMessageNotifier {
	return &dbusMessageNotifier{bus: bus, icon: icon, fallback: fallback, toUI: toUI, log: log,
		wake: make(chan struct{}, 1), wants: map[string]noteWish{}}
}

// Show shows or replaces contact's notification.
func (n *dbusMessageNotifier) Show(contact, title, body string) {
	if n.failed.Load() {
		n.fallback.Show(contact, title, body)
		return
	}
	n.want(contact, noteWish{title: title, body: body})
}

// Close takes contact's notification away.
func (n *dbusMessageNotifier) Close(contact string) {
	if !n.failed.Load() {
		n.want(contact, noteWish{close: true})
	}
}

func (n *dbusMessageNotifier) want(contact string, w noteWish) {
	n.mu.Lock()
	if _, ok := n.wants[contact]; !ok {
		n.order = append(n.order, contact)
	}
	n.wants[contact] = w
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// take returns the wishes recorded since the last call.
func (n *dbusMessageNotifier) take() ([]string, map[string]noteWish) {
	n.mu.Lock()
	defer n.mu.Unlock()
	order, wants := n.order, n.wants
	n.order, n.wants = nil, map[string]noteWish{}
	return order, wants
}

// run connects and shows the wishes until ctx is done.
func (n *dbusMessageNotifier) run(ctx context.Context) {
	conn, err := dialBus(ctx, n.bus)
	if err != nil {
		if ctx.Err() == nil {
			n.log.Info("no session bus for message notifications; using plain ones", "err", err)
			n.giveUp()
		}
		return
	}
	defer conn.Close()
	var hints map[string]dbus.Variant
	if n.icon != nil {
		if img, err := iconImage(n.icon, notifyIconSize); err == nil {
			hints = map[string]dbus.Variant{"image-data": dbus.MakeVariant(img)}
		} else {
			n.log.Warn("notification icon", "err", err)
		}
	}
	ids := map[string]uint32{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.wake:
		}
		order, wants := n.take()
		for _, c := range order {
			w := wants[c]
			if w.close {
				if id := ids[c]; id != 0 {
					n.closeNote(ctx, conn, id)
					delete(ids, c)
				}
				continue
			}
			id, err := n.notify(ctx, conn, ids[c], w, hints)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				n.log.Info("the notification server failed; using plain notifications", "err", err)
				n.giveUp()
				n.toUI(func() { n.fallback.Show(c, w.title, w.body) })
				return
			}
			ids[c] = id
			n.sent.Add(1)
		}
	}
}

// giveUp sends every later notification the plain way.
func (n *dbusMessageNotifier) giveUp() { n.failed.Store(true) }

// notify shows w in place of notification id (0: a new one).
func (n *dbusMessageNotifier) notify(ctx context.Context, conn *dbus.Conn, id uint32, w noteWish,
	icon map[string]dbus.Variant) (uint32, error) {
	ctx, cancel := context.WithTimeout(ctx, notifyCallTimeout)
	defer cancel()
	hints := map[string]dbus.Variant{
		"category":      dbus.MakeVariant("im.received"),
		"desktop-entry": dbus.MakeVariant(appIconName),
	}
	for k, v := range icon {
		hints[k] = v
	}
	var got uint32
	err := conn.Object(notifyName, notifyPath).CallWithContext(ctx, notifyIface+".Notify", 0,
		"tincan", id, appIconName, w.title, w.body, []string{}, hints,
		int32(messageExpire/time.Millisecond)).Store(&got)
	if err != nil {
		return 0, fmt.Errorf("notify: %w", err)
	}
	return got, nil
}

// closeNote takes notification id away.
func (n *dbusMessageNotifier) closeNote(ctx context.Context, conn *dbus.Conn, id uint32) {
	ctx, cancel := context.WithTimeout(ctx, notifyCallTimeout)
	defer cancel()
	if err := conn.Object(notifyName, notifyPath).CallWithContext(ctx, notifyIface+".CloseNotification", 0, id).Err; err != nil {
		n.log.Debug("close message notification", "id", id, "err", err)
	}
}
