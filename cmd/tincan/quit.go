//go:build !nogui

package main

import (
	"errors"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"fyne.io/fyne/v2"

	"tincan/core/node"
	"tincan/ui"
)

// errQuitting refuses work asked for while the app quits.
var errQuitting = errors.New("tincan is quitting")

// quitGrace is how long a quit may take before the node is closed and the
// process exits without waiting for the window.
const quitGrace = 10 * time.Second

// quitOnSignal makes SIGTERM (a logout, kill) and SIGINT quit the app the
// way its Quit menu does: the window's work stops, the loop ends, and the
// node is closed before the process exits. It returns a function that
// stops listening.
func (g *gui) quitOnSignal() (stop func()) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	g.app.Lifecycle().SetOnStarted(func() {
		// Fyne's driver installs its own handler as its loop starts, and
		// it ends the loop at once, with the window's work still running
		// (its results would then reach the UI after GLFW is gone): take
		// the signals back from it.
		signal.Reset(syscall.SIGTERM, syscall.SIGINT)
		signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	})
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			g.log.Info("quitting", "signal", s.String())
			g.mu.Lock()
			g.quitting = true
			g.changedLocked()
			g.mu.Unlock()
			onUI(g.quit) // queued until the loop runs if it has not started yet
		case <-done:
			return
		}
		// Fyne's loop has been seen not to end in rare cases (its shutdown
		// waiting on itself): a second signal, or quitGrace without the
		// loop ending, closes the node (merging the WAL, nothing lost) and
		// exits, so a logout never hangs on us.
		t := time.NewTimer(quitGrace)
		defer t.Stop()
		select {
		case <-done:
			return
		case s := <-sigs:
			g.log.Error("second signal while quitting: closing the node and exiting", "signal", s.String())
		case <-t.C:
			g.log.Error("the window did not close in time: closing the node and exiting", "after", quitGrace)
		}
		g.mu.Lock()
		n := g.node
		g.node = nil
		g.mu.Unlock()
		if n != nil {
			g.closeNode(n)
		}
		os.Exit(1)
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}

// quit stops the window's work and ends the app's loop. Call it on the UI
// goroutine.
func (g *gui) quit() {
	if g.main != nil {
		g.main.Stop()
	}
	ui.QuitApp(g.app)
}

// spawn runs f on a goroutine that stop waits for, unless the app is
// quitting.
func (g *gui) spawn(f func()) {
	if !g.begin() {
		return
	}
	go func() {
		defer g.busy.Done()
		f()
	}()
}

// begin counts one call in flight for stop to wait for, and reports false
// (counting nothing) once the app is quitting.
func (g *gui) begin() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.quitting {
		return false
	}
	g.busy.Add(1)
	return true
}

// adopt keeps n for stop to close and reports true, or reports false when
// the app is quitting (the caller closes n).
func (g *gui) adopt(n *node.Node) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.quitting {
		return false
	}
	g.node, g.openErr = n, nil
	g.changedLocked()
	return true
}

// stop runs after the app loop has ended: it waits for a node still
// opening or an identity still being made, stops the window's work,
// closes the node (which merges the SQLite WAL), and then the control
// socket, so that no other tincan opens the home before the node is closed.
func (g *gui) stop() {
	g.mu.Lock()
	g.quitting = true
	g.changedLocked()
	g.mu.Unlock()
	g.busy.Wait()
	if g.main != nil {
		g.main.Stop()
	}
	g.mu.Lock()
	n := g.node
	g.node = nil
	g.mu.Unlock()
	if n != nil {
		g.closeNode(n)
	}
	if g.ctlStop != nil {
		g.ctlStop()
	}
}

func (g *gui) closeNode(n *node.Node) {
	if err := n.Close(); err != nil {
		g.log.Error("close node", "err", err)
		return
	}
	g.log.Info("node closed", "home", n.Home())
}

// onUI runs f on Fyne's UI goroutine. Once Fyne's loop has ended, fyne.Do
// runs its function at once on the calling goroutine, where windows must not
// be touched (GLFW is terminated): then f is dropped. The node f would show
// is closed by stop.
func onUI(f func()) {
	caller := goroutineID()
	fyne.Do(func() {
		if goroutineID() == caller {
			return
		}
		f()
	})
}

// goroutineID reads the calling goroutine's number from the first line of
// its stack trace ("goroutine 42 [running]:"), as Fyne itself does to tell
// its main goroutine apart; 0 if it cannot.
func goroutineID() uint64 {
	var buf [64]byte
	s := strings.TrimPrefix(string(buf[:runtime.Stack(buf[:], false)]), "goroutine ")
	id, _, _ := strings.Cut(s, " ")
	n, _ := strconv.ParseUint(id, 10, 64)
	return n
}
