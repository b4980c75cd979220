//go:build !nogui

package main

import (
	"errors"
	"io"
	"log/slog"
	"sync"
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"tincan/core/identity"
	"tincan/core/node"
	"tincan/ui"
)

// runGUI runs the desktop app: first-run window or main window, with the
// node in-process and its control socket open for the CLI. It returns once
// the app has quit (the window closed, Quit in the tray, SIGTERM or SIGINT)
// and the node is closed.
func runGUI(rest []string, stderr io.Writer) error {
	a, c, opts, err := parseNodeCommand(rest, []string{"listen", "open"},
		"tincan [--home DIR] [--listen HOST:PORT] [--open NAME] [--bootstrap HOST:PORT,...] [--entry-name NAME]")
	if err != nil {
		return err
	}
	log := c.logger(stderr)
	slog.SetDefault(log)
	g := &gui{
		app:  app.NewWithID("chat.tincan.app"),
		log:  log,
		open: a.get("open", ""),
		opts: opts,
	}
	defer g.quitOnSignal()()
	g.ks = c.openKeystore()
	g.opts.Keystore, g.opts.Logger = g.ks, log
	_, explicitListen := a.flags["listen"]
	g.fallbackListen = !explicitListen
	g.tray = ui.NewTray(g.app, nil) // before Run, or Fyne never starts it
	g.spawn(g.start)
	g.app.Run()
	g.stop()
	return nil
}

type gui struct {
	app            fyne.App
	ks             identity.Keystore
	log            *slog.Logger
	opts           node.Options
	open           string
	fallbackListen bool
	tray           *ui.Tray // nil without a tray host

	main     *ui.Main    // set on the UI goroutine
	firstRun fyne.Window // hidden after the identity is created

	mu       sync.Mutex
	quitting bool           // the app loop has ended or is ending
	node     *node.Node     // the open node, closed by stop
	busy     sync.WaitGroup // start and create calls in flight
}

// start opens the node off the UI goroutine, then shows the right window.
// Run it with spawn.
func (g *gui) start() {
	g.log.Debug("opening the node", "home", g.opts.Home)
	n, err := g.openNode()
	if n != nil && !g.adopt(n) {
		g.closeNode(n) // the app quit while the node opened
		return
	}
	onUI(func() {
		switch {
		case errors.Is(err, identity.ErrNoIdentity):
			g.showFirstRun()
		case err != nil:
			g.fatal(err)
		default:
			g.main = ui.Run(g.app, n, ui.Options{Tray: g.tray})
			if g.firstRun != nil {
				g.firstRun.Close()
				g.firstRun = nil
			}
			if g.open != "" {
				g.main.OpenChat(g.open)
			}
		}
	})
}

// showFirstRun asks for the user's name and creates the identity; the tray's
// Show brings this window back, and closing it quits.
func (g *gui) showFirstRun() {
	w := ui.FirstRun(g.app, g.create, func() { g.spawn(g.start) })
	w.SetCloseIntercept(func() {
		w.Close()         // drops a key generation's result
		ui.QuitApp(g.app) // a tray would otherwise keep the app running with no window
	})
	if g.tray != nil {
		g.tray.SetShow(w.Show)
	}
	g.firstRun = w
}

// create makes the identity, unless the app is quitting; stop waits for it.
func (g *gui) create(name string) error {
	if !g.begin() {
		return errQuitting
	}
	defer g.busy.Done()
	return node.Create(g.opts.Home, g.ks, name)
}

func (g *gui) openNode() (*node.Node, error) {
	n, err := node.Open(g.opts)
	if err != nil && g.fallbackListen && errors.Is(err, syscall.EADDRINUSE) {
		g.log.Warn("default port taken, listening on a random port; contacts need the new address", "port", g.opts.Listen)
		opts := g.opts
		opts.Listen = ":0"
		n, err = node.Open(opts)
	}
	return n, err
}

// fatal shows why tincan cannot start, with a way out.
func (g *gui) fatal(err error) {
	g.log.Error("cannot start", "err", err)
	w := g.app.NewWindow("tincan cannot start")
	msg := widget.NewLabel(err.Error())
	msg.Wrapping = fyne.TextWrapWord
	w.SetContent(container.NewBorder(nil,
		container.NewHBox(widget.NewButton("Quit", g.quit)), nil, nil,
		container.NewVBox(widget.NewLabelWithStyle("tincan could not start", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), msg)))
	w.Resize(fyne.NewSize(520, 200))
	w.SetMaster()
	w.Show()
}
