//go:build !nogui

package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"tincan/assets"
	"tincan/core/autostart"
	"tincan/core/backup"
	"tincan/core/identity"
	"tincan/core/node"
	"tincan/ui"
)

// runGUI runs the desktop app: first-run window or main window, with the
// node in-process and its control socket open for the CLI. It returns once
// the app has quit (the window closed, Quit in the tray, SIGTERM or SIGINT)
// and the node is closed. When tincan already runs on the home, it asks
// that one to show its window and returns at once.
func runGUI(rest []string, stderr io.Writer) error {
	rest, hidden, err := takeHidden(rest)
	if err != nil {
		return err
	}
	a, c, opts, err := parseNodeCommand(rest, []string{"listen", "open"},
		"tincan [--home DIR] [--hidden] [--listen HOST:PORT] [--open NAME] [--bootstrap HOST:PORT,...] [--entry-name NAME]")
	if err != nil {
		return err
	}
	log := c.logger(stderr)
	slog.SetDefault(log)
	g := &gui{
		log:     log,
		open:    a.get("open", ""),
		opts:    opts,
		hidden:  hidden,
		common:  c,
		changed: make(chan struct{}),
	}
	g.opts.Control = false // the app serves the socket itself (instance.go)
	srv, handedOff, claimErr := g.claimHome()
	if handedOff {
		return nil
	}
	g.app = app.NewWithID("chat.tincan.app")
	g.app.SetIcon(assets.Icon) // before the tray menu: Windows wants the tray's icon first
	defer g.quitOnSignal()()
	if claimErr != nil {
		// Say why in a window too: a double-click has no terminal.
		g.log.Error("cannot start", "err", claimErr)
		g.fatal(claimErr) // before Run, as Fyne allows
		g.app.Run()
		return claimErr
	}
	g.serveControl(srv)
	g.ks = c.openKeystore()
	g.opts.Keystore, g.opts.Logger = g.ks, log
	_, explicitListen := a.flags["listen"]
	g.fallbackListen = !explicitListen
	g.tray = ui.NewTray(g.app, nil) // before Run, or Fyne never starts it
	if g.hidden && g.tray == nil {
		g.log.Warn("--hidden: there is no system tray to start hidden in, so the window shows")
	}
	g.spawn(g.start)
	g.app.Run()
	g.stop()
	return nil
}

// takeHidden removes --hidden (start in the tray, with no window) from a
// command line, and reports whether it was there.
func takeHidden(in []string) ([]string, bool, error) {
	out := make([]string, 0, len(in))
	hidden := false
	for i := 0; i < len(in); i++ {
		s := in[i]
		if s == "--" {
			out = append(out, in[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(s, "-"), "=")
		if !strings.HasPrefix(s, "-") || name != "hidden" {
			out = append(out, s)
			if strings.HasPrefix(s, "-") && !hasValue && isValueFlag(s) && i+1 < len(in) {
				i++
				out = append(out, in[i])
			}
			continue
		}
		switch {
		case !hasValue || value == "true":
			hidden = true
		case value == "false":
			hidden = false
		default:
			return nil, false, usagef("flag --hidden takes no value")
		}
	}
	return out, hidden, nil
}

// autostart is the Settings dialog's start-at-login switch: this program
// with --hidden, and the home and keystore when they are not the defaults.
func (g *gui) autostart() ui.Autostart {
	exe, err := os.Executable()
	if err != nil {
		g.log.Warn("starting at login is unavailable: cannot tell where this program is", "err", err)
		return nil
	}
	argv := []string{"--hidden"}
	if def, err := commonFrom(args{flags: map[string]string{}}); err != nil || def.home != g.common.home || os.Getenv("TINCAN_HOME") != "" {
		argv = append(argv, "--home", g.common.home)
	}
	if g.common.keystore != "keychain" {
		argv = append(argv, "--keystore", g.common.keystore)
	}
	return autostart.Switch{Exe: exe, Args: argv}
}

type gui struct {
	app            fyne.App
	ks             identity.Keystore
	log            *slog.Logger
	opts           node.Options
	open           string
	hidden         bool   // --hidden: start in the tray with no window
	common         common // the global flags: home and keystore
	fallbackListen bool
	tray           *ui.Tray // nil without a tray host
	ctlStop        func()   // stops the control socket; set by serveControl

	// Set on the UI goroutine.
	main       *ui.Main
	firstRun   fyne.Window // hidden after the identity is created
	fatalWin   fyne.Window // why tincan cannot start
	showWanted bool        // a second start asked to show the window before it existed

	mu       sync.Mutex
	quitting bool           // the app loop has ended or is ending
	node     *node.Node     // the open node, closed by stop
	openErr  error          // why the node did not open (first run included)
	changed  chan struct{}  // closed when node, openErr or quitting change
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
	if err != nil {
		g.mu.Lock()
		g.openErr = err
		g.changedLocked()
		g.mu.Unlock()
	}
	onUI(func() {
		switch {
		case errors.Is(err, identity.ErrNoIdentity):
			if g.hidden {
				g.log.Info("--hidden: showing the first-run window, tincan has no identity yet")
			}
			g.showFirstRun()
		case err != nil:
			g.fatal(err)
		default:
			g.main = ui.Run(g.app, n, ui.Options{Tray: g.tray, Hidden: g.hidden && !g.showWanted, Autostart: g.autostart(), Backup: g.backupFuncs()})
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
	w := ui.FirstRunWithRestore(g.app, g.create, g.backupFuncs(), func() { g.spawn(g.start) })
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
	g.fatalWin = w
}

// backupFuncs are the backup dialogs' work for this home and keystore.
func (g *gui) backupFuncs() ui.BackupFuncs {
	return ui.BackupFuncs{
		Export: func(ctx context.Context, file string, pass []byte, progress func(done, total int64)) error {
			return backup.Export(ctx, g.opts.Home, g.ks, file, pass, backup.DefaultParams, progress)
		},
		Import: func(ctx context.Context, file string, pass []byte, progress func(done, total int64)) error {
			return backup.Import(ctx, file, pass, g.opts.Home, g.ks, progress)
		},
	}
}
