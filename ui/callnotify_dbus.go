//go:build linux

package ui

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"github.com/godbus/dbus/v5"
)

// How a call's notification behaves on the bus.
const (
	ringExpire        = 45 * time.Second // the notification's own timeout
	notifyCallTimeout = 3 * time.Second  // bounds each call to the server
	notifyCloseOnQuit = time.Second      // bounds closing the notification on quit
	urgencyCritical   = byte(2)
	appIconName       = "tincan" // the icon packaging/tincan.desktop installs
)

// newCallNotifier is the notifier for this session: buttons on a
// freedesktop notification when a session bus is set, else the plain
// notification. Its goroutine runs on m.work, so Stop waits for it.
func (m *Main) newCallNotifier() callNotifier {
	plain := plainCallNotifier{ring: m.ringPlain}
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" || len(addr) > maxBusAddress {
		return plain
	}
	n := newDBusCallNotifier(dbusNotifyConfig{
		bus:      addr,
		icon:     m.opts.Icon,
		fallback: m.ringPlain,
		accept:   m.acceptFromNotification,
		decline:  m.declineFromNotification,
		toUI:     m.work.toUI,
		log:      slog.Default().With("part", "call-notify"),
	})
	m.work.loop(n.run)
	return n
}

// dbusNotifyConfig is what a dbusCallNotifier needs.
type dbusNotifyConfig struct {
	bus  string        // the session bus address
	icon fyne.Resource // sent as the image-data hint; nil: none
	// fallback, accept and decline run on the UI goroutine with the
	// caller's name: when the server cannot show the buttons, and when
	// the user presses one.
	fallback, accept, decline func(name string)
	toUI                      func(func()) // runs a function on the UI goroutine
	log                       *slog.Logger // nil: discard
}

// dbusCallNotifier shows a call ringing here as a freedesktop notification
// with Accept and Decline, spoken over the session bus.
//
// Ring and Stop (UI goroutine) only record what should show, under mu, and
// wake run; run owns the connection and the notification shown, and brings
// what shows in line with what should. ready is written by run and read by
// Ring: until a server that shows actions is known, Ring falls back at once.
type dbusCallNotifier struct {
	cfg    dbusNotifyConfig
	ready  atomic.Bool  // the server on the bus shows actions
	probes atomic.Int32 // capability checks finished, for tests
	wake   chan struct{}

	icon *notifyImage // the scaled icon, made once; owned by run

	mu   sync.Mutex
	want string // who should show as calling; "" none
	gen  uint64 // bumped when want changes, so a second ring shows anew
}

// shownNote is the notification on screen; owned by run.
type shownNote struct {
	gen   uint64 // the wish it answers
	id    uint32 // the server's id; 0 none
	name  string
	acted bool // a button was pressed
}

func newDBusCallNotifier(cfg dbusNotifyConfig) *dbusCallNotifier {
	if cfg.log == nil {
		cfg.log = slog.New(slog.DiscardHandler)
	}
	return &dbusCallNotifier{cfg: cfg, wake: make(chan struct{}, 1)}
}

// Ring shows name calling, with buttons if the server can, else falls back.
func (n *dbusCallNotifier) Ring(name string) {
	if !n.ready.Load() {
		n.cfg.fallback(name)
		return
	}
	n.mu.Lock()
	n.want, n.gen = name, n.gen+1
	n.mu.Unlock()
	n.poke()
}

// Stop closes the notification if one should show.
func (n *dbusCallNotifier) Stop() {
	n.mu.Lock()
	if n.want == "" {
		n.mu.Unlock()
		return
	}
	n.want, n.gen = "", n.gen+1
	n.mu.Unlock()
	n.poke()
}

func (n *dbusCallNotifier) poke() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

func (n *dbusCallNotifier) wanted() (string, uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.want, n.gen
}

// run connects to the bus, follows the notification server and keeps the
// call's notification in line with Ring and Stop until ctx is done.
func (n *dbusCallNotifier) run(ctx context.Context) {
	conn, err := dialBus(ctx, n.cfg.bus)
	if err != nil {
		if ctx.Err() == nil {
			n.cfg.log.Info("no session bus for call notifications; using plain ones", "err", err)
		}
		return
	}
	defer conn.Close()
	sigs := make(chan *dbus.Signal, 16)
	conn.Signal(sigs)
	if err := n.follow(ctx, conn); err != nil {
		n.cfg.log.Info("cannot follow the notification server; using plain notifications", "err", err)
		return
	}
	n.probe(ctx, conn)

	var shown shownNote
	for {
		select {
		case <-ctx.Done():
			if shown.id != 0 {
				qctx, cancel := context.WithTimeout(context.Background(), notifyCloseOnQuit)
				n.closeNote(qctx, conn, shown.id)
				cancel()
			}
			return
		case <-n.wake:
			n.sync(ctx, conn, &shown)
		case s, ok := <-sigs:
			if !ok {
				return
			}
			if sig, ok := readNotifySignal(s); ok {
				n.onSignal(ctx, conn, sig, &shown)
			}
		}
	}
}

// dialBus connects to the bus at addr; ctx ending aborts a bus that does
// not answer.
func dialBus(ctx context.Context, addr string) (*dbus.Conn, error) {
	conn, err := dbus.Dial(addr)
	if err != nil {
		return nil, fmt.Errorf("dial session bus: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	if err := conn.Auth(nil); err != nil {
		stop()
		conn.Close()
		return nil, fmt.Errorf("authenticate to session bus: %w", err)
	}
	if err := conn.Hello(); err != nil {
		stop()
		conn.Close()
		return nil, fmt.Errorf("greet session bus: %w", err)
	}
	if !stop() {
		conn.Close()
		return nil, ctx.Err()
	}
	return conn, nil
}

// follow asks the bus for the server's signals and its comings and goings.
func (n *dbusCallNotifier) follow(ctx context.Context, conn *dbus.Conn) error {
	ctx, cancel := context.WithTimeout(ctx, notifyCallTimeout)
	defer cancel()
	for _, rule := range [][]dbus.MatchOption{
		{dbus.WithMatchSender(notifyName), dbus.WithMatchObjectPath(notifyPath),
			dbus.WithMatchInterface(notifyIface), dbus.WithMatchMember("ActionInvoked")},
		{dbus.WithMatchSender(notifyName), dbus.WithMatchObjectPath(notifyPath),
			dbus.WithMatchInterface(notifyIface), dbus.WithMatchMember("NotificationClosed")},
		{dbus.WithMatchSender(busName), dbus.WithMatchInterface(busName),
			dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, notifyName)},
	} {
		if err := conn.AddMatchSignalContext(ctx, rule...); err != nil {
			return fmt.Errorf("add match rule: %w", err)
		}
	}
	return nil
}

// probe asks the server whether it shows actions.
func (n *dbusCallNotifier) probe(ctx context.Context, conn *dbus.Conn) {
	defer n.probes.Add(1)
	ctx, cancel := context.WithTimeout(ctx, notifyCallTimeout)
	defer cancel()
	var caps []string
	err := conn.Object(notifyName, notifyPath).CallWithContext(ctx, notifyIface+".GetCapabilities", 0).Store(&caps)
	ok := err == nil && slices.Contains(caps, "actions")
	n.ready.Store(ok)
	switch {
	case err != nil:
		n.cfg.log.Info("no notification server; calls ring with plain notifications", "err", err)
	case !ok:
		n.cfg.log.Info("the notification server shows no buttons; calls ring with plain notifications",
			"capabilities", caps)
	}
}

// sync shows what Ring and Stop asked for last.
func (n *dbusCallNotifier) sync(ctx context.Context, conn *dbus.Conn, shown *shownNote) {
	want, gen := n.wanted()
	if gen == shown.gen {
		return
	}
	if shown.id != 0 {
		n.closeNote(ctx, conn, shown.id)
	}
	*shown = shownNote{gen: gen}
	if want == "" {
		return
	}
	if !n.ready.Load() {
		n.fallBack(want)
		return
	}
	id, err := n.notify(ctx, conn, want)
	if err != nil {
		n.cfg.log.Warn("show call notification", "err", err)
		n.fallBack(want)
		return
	}
	shown.id, shown.name = id, want
}

// onSignal handles the server's answer to the notification shown.
func (n *dbusCallNotifier) onSignal(ctx context.Context, conn *dbus.Conn, sig notifySignal, shown *shownNote) {
	switch sig.kind {
	case "owner":
		if sig.owner != "" {
			n.probe(ctx, conn)
			return
		}
		n.ready.Store(false)
		if shown.id != 0 && !shown.acted {
			n.fallBack(shown.name)
		}
		shown.id = 0
	case "closed":
		if sig.id == shown.id {
			shown.id = 0
		}
	case "action":
		if sig.id != shown.id || shown.id == 0 || shown.acted {
			return
		}
		name := shown.name
		switch sig.action {
		case "accept":
			shown.acted = true
			n.cfg.toUI(func() { n.cfg.accept(name) })
		case "decline":
			shown.acted = true
			n.cfg.toUI(func() { n.cfg.decline(name) })
		}
	}
}

func (n *dbusCallNotifier) fallBack(name string) {
	n.cfg.toUI(func() { n.cfg.fallback(name) })
}

// notify shows name calling, with Accept and Decline.
func (n *dbusCallNotifier) notify(ctx context.Context, conn *dbus.Conn, name string) (uint32, error) {
	ctx, cancel := context.WithTimeout(ctx, notifyCallTimeout)
	defer cancel()
	hints := map[string]dbus.Variant{
		"urgency":       dbus.MakeVariant(urgencyCritical),
		"category":      dbus.MakeVariant("call.incoming"),
		"desktop-entry": dbus.MakeVariant(appIconName),
	}
	if n.icon == nil && n.cfg.icon != nil {
		img, err := iconImage(n.cfg.icon, notifyIconSize)
		if err != nil {
			n.cfg.log.Warn("call notification icon", "err", err)
		}
		n.icon = &img
	}
	if n.icon != nil && n.icon.Width > 0 {
		hints["image-data"] = dbus.MakeVariant(*n.icon)
	}
	var id uint32
	err := conn.Object(notifyName, notifyPath).CallWithContext(ctx, notifyIface+".Notify", 0,
		"tincan", uint32(0), appIconName, name+" is calling", "Incoming call",
		[]string{"accept", "Accept", "decline", "Decline"}, hints, int32(ringExpire/time.Millisecond)).Store(&id)
	if err != nil {
		return 0, fmt.Errorf("notify: %w", err)
	}
	return id, nil
}

// closeNote takes the notification id away.
func (n *dbusCallNotifier) closeNote(ctx context.Context, conn *dbus.Conn, id uint32) {
	ctx, cancel := context.WithTimeout(ctx, notifyCallTimeout)
	defer cancel()
	err := conn.Object(notifyName, notifyPath).CallWithContext(ctx, notifyIface+".CloseNotification", 0, id).Err
	if err != nil {
		n.cfg.log.Debug("close call notification", "id", id, "err", err)
	}
}
