package ui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"tincan/core/node"
)

// How the call views keep time.
const (
	callTick   = time.Second            // the timer's step
	levelTick  = 100 * time.Millisecond // how often the microphone level is read
	callLinger = 4 * time.Second        // how long the panel says how a call ended
)

// callState is what the window knows of the current call. Its fields are
// used on the UI goroutine, except loops.
type callState struct {
	view        node.CallView // the node's latest report
	activeSince time.Time     // when the call was seen active, if the node gives no start
	devicesFor  string        // the call whose device lists were loaded
	linger      time.Duration // how long an ended call stays shown
	stopLoop    context.CancelFunc
	stopLinger  context.CancelFunc
	loops       atomic.Int32 // timer goroutines running (0 or 1), for tests
	notify      callNotifier // rings outside the window (see callnotify.go)
}

// buildCall makes the call panel; the window puts it under its toolbar.
func (m *Main) buildCall() *callPanel {
	m.chat.addCall(m.startCall)
	m.calls.linger = callLinger
	m.calls.notify = m.newCallNotifier()
	return newCallPanel(callActions{
		accept:  m.answerCall,
		decline: m.declineCall,
		hangup:  m.hangupCall,
		mute:    m.toggleMute,
		devices: m.chooseDevices,
	})
}

// onCall shows the node's report of the current call.
func (m *Main) onCall(v node.CallView) {
	c := &m.calls
	prev := c.view
	if v.ID != prev.ID {
		c.activeSince = time.Time{}
	}
	if v.State != callEnded && c.stopLinger != nil {
		c.stopLinger()
		c.stopLinger = nil
	}
	c.view = v
	if !callRingsHere(v) {
		c.notify.Stop()
	}
	switch {
	case v.State == callEnded:
		m.stopCallLoop()
		m.call.showEnded(v)
		m.lingerCall(v.ID)
		// A call declined here was declined from its notification: no need to say so.
		if prev.ID == v.ID && callRingsHere(prev) && !m.attentive() && v.Reason != "declined" {
			m.app.SendNotification(fyne.NewNotification(v.Contact, callEndWords(v)))
		}
	case callRingsHere(v):
		m.call.showPrompt(v)
		if prev.ID != v.ID || !callRingsHere(prev) {
			m.ring(v)
		}
	case callOn(v):
		if v.State == callActive {
			if c.activeSince.IsZero() {
				c.activeSince = m.now()
			}
			m.startCallLoop(v.ID)
		}
		m.call.showLive(v, m.callElapsed())
		m.loadDevices(v.ID)
	default: // idle: no call; an ended one stays shown a little
		m.stopCallLoop()
		if prev.State != callEnded {
			m.call.hide()
		}
	}
	m.chat.setCall(v, m.callElapsed())
}

// callElapsed is how long the current call has been active.
func (m *Main) callElapsed() time.Duration {
	c := &m.calls
	if c.view.State != callActive && c.view.State != callEnded {
		return 0
	}
	return callElapsed(c.view, c.activeSince, m.now())
}

// ring tells a user who is not looking that v is calling: a notification
// with Accept and Decline where the desktop shows buttons, else a plain one
// and the window brought forward (see callnotify.go).
func (m *Main) ring(v node.CallView) {
	if m.attentive() {
		return
	}
	m.calls.notify.Ring(v.Contact)
}

// lingerCall hides the panel a few seconds after the call id ended.
func (m *Main) lingerCall(id string) {
	if m.calls.stopLinger != nil {
		m.calls.stopLinger()
	}
	ctx, cancel := context.WithCancel(m.work.ctx)
	m.calls.stopLinger = cancel
	linger := m.calls.linger
	m.work.loop(func(context.Context) {
		t := time.NewTimer(linger)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		m.work.toUI(func() {
			if m.calls.view.ID == id && m.calls.view.State == callEnded {
				m.calls.stopLinger = nil
				m.call.hide()
			}
		})
	})
}

// startCallLoop starts the goroutine that moves the timer on each second
// and reads the microphone level ten times a second while the call id is
// active; stopCallLoop ends it.
func (m *Main) startCallLoop(id string) {
	if m.calls.stopLoop != nil {
		return
	}
	ctx, cancel := context.WithCancel(m.work.ctx)
	m.calls.stopLoop = cancel
	m.calls.loops.Add(1)
	m.work.loop(func(context.Context) {
		defer m.calls.loops.Add(-1)
		sec := time.NewTicker(callTick)
		defer sec.Stop()
		lvl := time.NewTicker(levelTick)
		defer lvl.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-sec.C:
				m.work.toUI(func() { m.tickCall(id) })
			case <-lvl.C:
				v := m.b.CurrentCall()
				if v.ID != id || v.Stats == nil {
					continue
				}
				level := v.Stats.InputLevel
				m.work.toUI(func() {
					if m.calls.view.ID == id && m.call.mode == panelLive {
						m.call.devices.setLevel(level)
					}
				})
			}
		}
	})
}

func (m *Main) stopCallLoop() {
	if m.calls.stopLoop != nil {
		m.calls.stopLoop()
		m.calls.stopLoop = nil
	}
}

// tickCall shows the active call id's time.
func (m *Main) tickCall(id string) {
	v := m.calls.view
	if v.ID != id || v.State != callActive {
		return
	}
	m.call.showLive(v, m.callElapsed())
	m.chat.setCall(v, m.callElapsed())
}

// loadDevices fills the device pickers once per call.
func (m *Main) loadDevices(id string) {
	if m.calls.devicesFor == id {
		return
	}
	m.calls.devicesFor = id
	m.work.background(func(context.Context) func() {
		capture, playback, chosenCapture, chosenPlayback, err := m.b.AudioDevices()
		if err != nil {
			slog.Warn("list audio devices", "err", err)
		}
		return func() {
			m.call.devices.set(capture, playback, chosenCapture, chosenPlayback)
		}
	})
}

// startCall calls the open contact.
func (m *Main) startCall() {
	name := m.selected
	if name == "" {
		return
	}
	m.chat.setCalling(true)
	m.work.background(func(ctx context.Context) func() {
		err := m.b.Call(ctx, name)
		return func() {
			m.chat.setCalling(false)
			if err != nil {
				dialog.ShowError(errors.New(callErrWords("could not call "+name, err)), m.w)
			}
		}
	})
}

// answerCall takes the call ringing here and opens the caller's chat.
func (m *Main) answerCall() {
	name := m.calls.view.Contact
	m.call.accept.Disable()
	m.call.decline.Disable()
	m.OpenChat(name)
	m.work.background(func(ctx context.Context) func() {
		err := m.b.Answer(ctx, name)
		return func() {
			if err != nil && callRingsHere(m.calls.view) {
				m.call.accept.Enable()
				m.call.decline.Enable()
				m.call.fail(callErrWords("could not answer", err))
			}
		}
	})
}

// declineCall refuses the call ringing here.
func (m *Main) declineCall() {
	name := m.calls.view.Contact
	m.call.accept.Disable()
	m.call.decline.Disable()
	m.work.background(func(ctx context.Context) func() {
		err := m.b.Decline(ctx, name)
		return func() {
			if err != nil && callRingsHere(m.calls.view) {
				m.call.accept.Enable()
				m.call.decline.Enable()
				m.call.fail(callErrWords("could not decline", err))
			}
		}
	})
}

// hangupCall ends the current call.
func (m *Main) hangupCall() {
	m.call.hangup.Disable()
	m.work.background(func(ctx context.Context) func() {
		err := m.b.Hangup(ctx)
		return func() {
			if err != nil && callOn(m.calls.view) {
				m.call.hangup.Enable()
				m.call.fail(callErrWords("could not hang up", err))
			}
		}
	})
}

// toggleMute mutes or unmutes the microphone; the node's report of the
// call then shows it.
func (m *Main) toggleMute() {
	on := !m.calls.view.Muted
	m.call.mute.Disable()
	m.work.background(func(ctx context.Context) func() {
		err := m.b.SetMute(ctx, on)
		return func() {
			m.call.mute.Enable()
			if err != nil && callOn(m.calls.view) {
				what := "could not mute"
				if !on {
					what = "could not unmute"
				}
				m.call.fail(callErrWords(what, err))
			}
		}
	})
}

// chooseDevices asks the node to use (and remember) the devices chosen.
func (m *Main) chooseDevices(capture, playback string) {
	d := m.call.devices
	d.enable(false)
	m.work.background(func(ctx context.Context) func() {
		err := m.b.SetAudioDevices(ctx, capture, playback)
		return func() {
			d.enable(true)
			d.settle(err == nil)
			if err != nil {
				m.call.fail(callErrWords("could not switch the audio device", err))
			}
		}
	})
}

// callErrWords is what failed and why, as a sentence without the node's
// internal words where the reason is a known one.
func callErrWords(what string, err error) string {
	var why string
	switch msg := err.Error(); {
	case strings.Contains(msg, "already in a call"):
		why = "you are already in a call"
	case strings.Contains(msg, "no call is ringing"):
		why = "the call is no longer ringing"
	case strings.Contains(msg, "no call in progress"):
		why = "the call has already ended"
	case strings.Contains(msg, "revoked"):
		why = "this contact was revoked and can no longer be called"
	default:
		why = msg
	}
	return sentence(fmt.Sprintf("%s: %s", what, why))
}
