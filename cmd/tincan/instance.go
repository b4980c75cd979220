//go:build !nogui

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"tincan/core/control"
	"tincan/core/identity"
	"tincan/core/node"
)

// One desktop app per home: the app binds the home's control socket before
// anything else (the node opens without its own), so a second start finds
// it taken and asks the running tincan to show its window instead.

// handOffWait bounds how long a second start waits for a running app that
// is quitting to be gone.
const handOffWait = 20 * time.Second

// showWait bounds how long the app takes to answer a request to show its
// window (the UI goroutine may be busy).
const showWait = 5 * time.Second

// errDaemonRunning means a headless daemon serves the home: the app
// cannot run beside it and has no window of it to show.
var errDaemonRunning = errors.New("tincan is already running as a background daemon for this home")

// claimHome binds the home's control socket for this app. When another
// tincan holds it, it asks that one to show its window and reports
// handedOff (or errDaemonRunning when that one is a daemon); it returns
// an error if that does not settle within handOffWait.
func (g *gui) claimHome() (srv *control.Server, handedOff bool, err error) {
	deadline := time.Now().Add(handOffWait)
	for {
		srv, err := control.Listen(g.opts.Home, g.handle, node.ExitCode, g.log.With("part", "control"))
		if !errors.Is(err, control.ErrAlreadyRunning) {
			return srv, false, err
		}
		shown, err := askShow(g.opts.Home, time.Until(deadline))
		switch {
		case errors.Is(err, control.ErrNotRunning):
			// it has just quit: take its place
		case err != nil:
			return nil, false, err
		case shown:
			g.log.Info("tincan is already running for this home: its window was brought forward", "home", g.opts.Home)
			return nil, true, nil
		}
		if time.Now().After(deadline) {
			return nil, false, fmt.Errorf("the tincan already running for this home did not finish quitting in %v; try again", handOffWait)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// askShow asks the tincan serving home to show its window, and reports
// whether it did (false: it is quitting).
func askShow(home string, wait time.Duration) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), max(wait, showWait+time.Second))
	defer cancel()
	resp, err := control.Call(ctx, home, control.Request{Cmd: control.CmdShow})
	if err != nil {
		return false, err
	}
	if !resp.OK {
		// node.ErrNoWindow, or "unknown command" from an older daemon
		return false, fmt.Errorf("%w (%s): use it through the tincan commands, or stop it and start the app again", errDaemonRunning, home)
	}
	var res control.ShowResult
	if err := json.Unmarshal(resp.Data, &res); err != nil {
		return false, fmt.Errorf("read the running tincan's answer: %w", err)
	}
	return res.Shown, nil
}

// handle answers the control socket's requests: CmdShow itself, the rest
// through the node once it is open.
func (g *gui) handle(ctx context.Context, req control.Request) (any, error) {
	if req.Cmd == control.CmdShow {
		return g.showAsked(ctx)
	}
	n, err := g.waitNode(ctx)
	if err != nil {
		return nil, err
	}
	return n.Handle(ctx, req)
}

// showAsked shows the window for a second start of tincan.
func (g *gui) showAsked(ctx context.Context) (control.ShowResult, error) {
	g.mu.Lock()
	quitting := g.quitting
	g.mu.Unlock()
	if quitting {
		return control.ShowResult{}, nil
	}
	done := make(chan struct{})
	onUI(func() {
		g.raise()
		close(done)
	})
	t := time.NewTimer(showWait)
	defer t.Stop()
	select {
	case <-done:
		return control.ShowResult{Shown: true}, nil
	case <-ctx.Done():
		return control.ShowResult{}, ctx.Err()
	case <-t.C:
		g.mu.Lock()
		quitting = g.quitting
		g.mu.Unlock()
		if quitting {
			return control.ShowResult{}, nil
		}
		return control.ShowResult{}, errors.New("the window did not come up in time")
	}
}

// raise shows whichever window the app has, or the main window as soon as
// it exists. Call it on the UI goroutine.
func (g *gui) raise() {
	g.log.Info("showing the window: tincan was started again")
	switch {
	case g.main != nil:
		g.main.Show()
	case g.firstRun != nil:
		g.firstRun.Show()
		g.firstRun.RequestFocus()
	case g.fatalWin != nil:
		g.fatalWin.Show()
		g.fatalWin.RequestFocus()
	default:
		g.showWanted = true // the node is still opening
	}
}

// waitNode returns the open node, waiting while it opens; an error if the
// app has none (first run, failed to start, quitting).
func (g *gui) waitNode(ctx context.Context) (*node.Node, error) {
	for {
		g.mu.Lock()
		n, err, quitting, changed := g.node, g.openErr, g.quitting, g.changed
		g.mu.Unlock()
		switch {
		case n != nil:
			return n, nil
		case quitting:
			return nil, errQuitting
		case errors.Is(err, identity.ErrNoIdentity):
			return nil, errors.New("tincan has no identity yet: finish the first start in its window")
		case err != nil:
			return nil, fmt.Errorf("the app could not start its node: %w", err)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// changedLocked wakes the requests waiting for the node. Call it with g.mu
// held after changing node, openErr or quitting.
func (g *gui) changedLocked() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// serveControl answers the control socket until stopControl.
func (g *gui) serveControl(srv *control.Server) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	g.ctlStop = func() {
		cancel()
		<-done
	}
	go func() {
		defer close(done)
		if err := srv.Serve(ctx); err != nil {
			g.log.Error("control socket stopped", "err", err)
		}
	}()
}
