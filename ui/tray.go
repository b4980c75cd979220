package ui

import (
	"log/slog"
	"os"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// trayMenu is tincan's system tray menu.
type trayMenu struct {
	menu   *fyne.Menu
	status *fyne.MenuItem
}

// setupTray puts tincan in the system tray when the app supports one and the
// platform can show it, and reports whether it did.
func (m *Main) setupTray() bool {
	if m.opts.NoTray {
		return false
	}
	d, ok := m.app.(desktop.App)
	if !ok {
		return false
	}
	if !trayPossible() {
		slog.Info("no D-Bus session bus: running without a system tray; closing the window quits")
		return false
	}
	status := fyne.NewMenuItem("Starting…", nil)
	status.Disabled = true
	quit := fyne.NewMenuItem("Quit", m.app.Quit)
	quit.IsQuit = true
	t := &trayMenu{status: status}
	t.menu = fyne.NewMenu("tincan",
		fyne.NewMenuItem("Show tincan", m.show),
		fyne.NewMenuItemSeparator(),
		status,
		fyne.NewMenuItemSeparator(),
		quit)
	d.SetSystemTrayMenu(t.menu)
	d.SetSystemTrayIcon(m.opts.Icon)
	m.tray = t
	return true
}

// updateTray shows how many contacts are online in the tray menu.
func (m *Main) updateTray() {
	if m.tray == nil {
		return
	}
	label := onlineCount(m.contacts.items)
	if label == m.tray.status.Label {
		return
	}
	m.tray.status.Label = label
	m.tray.menu.Refresh()
}

// trayPossible reports whether a tray icon can be shown: on Linux and the
// BSDs it needs a reachable D-Bus session bus (without one Fyne's tray
// panics on quit, fyne-io/fyne#6403).
func trayPossible() bool {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		return sessionBusReachable(os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
	}
	return true
}
