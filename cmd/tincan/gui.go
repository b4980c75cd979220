//go:build !nogui

package main

import (
	"errors"
	"io"
	"log/slog"
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
// node in-process and its control socket open for the CLI.
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
		ks:   c.openKeystore(),
		log:  log,
		open: a.get("open", ""),
		opts: opts,
	}
	g.opts.Keystore, g.opts.Logger = g.ks, log
	_, explicitListen := a.flags["listen"]
	g.fallbackListen = !explicitListen
	go g.start()
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

	node     *node.Node // set on the UI goroutine
	main     *ui.Main
	firstRun fyne.Window // hidden after the identity is created
}

// start opens the node off the UI goroutine, then shows the right window.
func (g *gui) start() {
	n, err := g.openNode()
	fyne.Do(func() {
		switch {
		case errors.Is(err, identity.ErrNoIdentity):
			g.firstRun = ui.FirstRun(g.app, func(name string) error {
				return node.Create(g.opts.Home, g.ks, name)
			}, func() { go g.start() })
		case err != nil:
			g.fatal(err)
		default:
			g.node = n
			g.main = ui.Run(g.app, n, ui.Options{})
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
		container.NewHBox(widget.NewButton("Quit", g.app.Quit)), nil, nil,
		container.NewVBox(widget.NewLabelWithStyle("tincan could not start", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), msg)))
	w.Resize(fyne.NewSize(520, 200))
	w.SetMaster()
	w.Show()
}

// stop closes the node after the app has quit.
func (g *gui) stop() {
	if g.main != nil {
		g.main.Stop()
	}
	if g.node != nil {
		if err := g.node.Close(); err != nil {
			g.log.Error("close node", "err", err)
		}
	}
}
