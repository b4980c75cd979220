package ui

import (
	"context"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
	"fyne.io/systray"

	"tincan/assets"
	"tincan/core/node"
)

// trayCheckTimeout bounds the question to the session bus whether a tray
// host is there.
const trayCheckTimeout = 2 * time.Second

// Tray is tincan's icon and menu in the system tray: Show tincan (with the
// unread count), how many contacts are online, Quit; the icon's tooltip
// repeats the unread count.
type Tray struct {
	app     fyne.App
	desk    desktop.App
	menu    *fyne.Menu
	show    *fyne.MenuItem
	status  *fyne.MenuItem
	quit    *fyne.MenuItem
	tooltip func(string) // sets the icon's tooltip
	tip     string       // the tooltip last set
}

// NewTray puts tincan in the system tray with icon (nil means assets.Icon)
// and returns it, or returns nil when no tray host would show it: the app is
// not a desktop app, or (Linux and the BSDs) no session bus answers or no
// StatusNotifierWatcher on it has a host registered, as on stock GNOME.
// Without a tray, closing the main window must quit, or the app would run on
// with no way back to it.
//
// Call it before a.Run(): Fyne starts the tray only when its loop starts
// (fyne-io/fyne#5039), and a tray set up later is never shown and makes
// every quit panic in the tray's shutdown (fyne-io/fyne#6403).
func NewTray(a fyne.App, icon fyne.Resource) *Tray {
	d, ok := a.(desktop.App)
	if !ok {
		return nil
	}
	if err := trayShowable(); err != nil {
		slog.Info("running without a system tray; closing the window quits", "why", err.Error())
		return nil
	}
	return newTray(a, d, icon)
}

func newTray(a fyne.App, d desktop.App, icon fyne.Resource) *Tray {
	if icon == nil {
		icon = assets.Icon
	}
	// Fyne has no call for the tooltip; its tray library (which Fyne
	// starts) has one that is safe before and after it starts.
	t := &Tray{app: a, desk: d, tooltip: systray.SetTooltip}
	t.show = fyne.NewMenuItem("Show tincan", nil)
	t.status = fyne.NewMenuItem("Starting…", nil)
	t.status.Disabled = true
	t.quit = fyne.NewMenuItem("Quit", func() { QuitApp(a) })
	t.quit.IsQuit = true
	t.menu = fyne.NewMenu("tincan",
		t.show,
		fyne.NewMenuItemSeparator(),
		t.status,
		fyne.NewMenuItemSeparator(),
		t.quit)
	d.SetSystemTrayMenu(t.menu)
	d.SetSystemTrayIcon(icon)
	return t
}

// QuitApp ends a's loop the way Fyne's own SIGTERM handler does, leaving
// the windows open for the loop's end to tear down. fyne.App.Quit closes
// them first, and a mouse event that reaches a closing window before the
// loop ends panics inside Fyne 2.7.1 (glfw window.processMouseMoved on a
// nil view). Call it on the UI goroutine.
func QuitApp(a fyne.App) { a.Driver().Quit() }

// SetShow makes the menu's "Show tincan" call show. Call it on the UI
// goroutine.
func (t *Tray) SetShow(show func()) { t.bind(show, t.quit.Action) }

// bind sets what Show tincan and Quit do.
func (t *Tray) bind(show, quit func()) {
	t.show.Action, t.quit.Action = show, quit
	t.desk.SetSystemTrayMenu(t.menu) // Fyne takes the items' actions when the menu is set
}

// setupTray puts the main window behind the tray given in Options, and
// reports whether there is one.
func (m *Main) setupTray() bool {
	if m.opts.NoTray || m.opts.Tray == nil {
		return false
	}
	m.tray = m.opts.Tray
	m.tray.bind(m.show, m.quit)
	return true
}

// updateTray shows the unread count and how many contacts are online in
// the tray menu, and the unread count in the icon's tooltip.
func (m *Main) updateTray() {
	if m.tray == nil {
		return
	}
	t := m.tray
	unread := unreadCount(m.contacts.items)
	if tip := trayTooltip(unread); tip != t.tip {
		t.tip = tip
		t.tooltip(tip)
	}
	status, show := onlineCount(m.contacts.items), showLabel(unread)
	if status == t.status.Label && show == t.show.Label {
		return
	}
	t.status.Label, t.show.Label = status, show
	t.menu.Refresh()
}

// unreadCount is the number of unread messages over every contact.
func unreadCount(cs []node.ContactView) int {
	n := 0
	for _, c := range cs {
		n += max(c.Unread, 0)
	}
	return n
}

// showLabel is the tray's Show item: "Show tincan (3 unread)".
func showLabel(unread int) string {
	if unread <= 0 {
		return "Show tincan"
	}
	return "Show tincan (" + strconv.Itoa(unread) + " unread)"
}

// trayTooltip is the tray icon's tooltip.
func trayTooltip(unread int) string {
	switch {
	case unread <= 0:
		return "tincan"
	case unread == 1:
		return "tincan: 1 unread message"
	}
	return "tincan: " + strconv.Itoa(unread) + " unread messages"
}

// askClose asks, where there is no tray to hide the window to, whether
// closing the window quits tincan or keeps it running in the background
// (where a second start of tincan brings the window back).
func (m *Main) askClose() {
	if m.closeAsk != nil {
		return
	}
	msg := widget.NewLabel("Quit tincan, or keep it running in the background?\n" +
		"In the background it still receives messages and calls;\nstart tincan again to bring this window back.")
	d := dialog.NewCustomWithoutButtons("Close tincan", msg, m.w)
	quit := widget.NewButton("Quit", func() {
		d.Hide()
		m.quit()
	})
	quit.Importance = widget.HighImportance
	keep := widget.NewButton("Keep running", func() {
		d.Hide()
		slog.Info("window hidden; tincan keeps running in the background")
		m.hide()
	})
	cancel := widget.NewButton("Cancel", d.Hide)
	d.SetButtons([]fyne.CanvasObject{cancel, keep, quit})
	d.SetOnClosed(func() { m.closeAsk = nil })
	m.closeAsk = d
	d.Show()
}

// trayShowable reports why a tray icon could not be shown, or nil: on Linux
// and the BSDs it needs a session bus with a tray host on it.
func trayShowable() error {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		ctx, cancel := context.WithTimeout(context.Background(), trayCheckTimeout)
		defer cancel()
		return trayHost(ctx, os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
	}
	return nil
}
