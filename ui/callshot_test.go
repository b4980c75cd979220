package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/core/audio"
	"tincan/core/node"
)

// TestScreenshotCalls saves the call views for a person to look at, at a
// normal window size and at the smallest supported one (480x360):
// build/call-ringing.png (a call rings while chatting), call-active.png
// (in a call over a hole-punched path; in the small window also
// call-active-devices-small.png, the pickers opened) and call-ended.png (the other side
// hung up), and the same with -small. It checks what a person would notice:
// the panel's buttons, words and pickers whole and inside the window, and
// the chat still usable under it.
func TestScreenshotCalls(t *testing.T) {
	for _, tc := range []struct {
		suffix string
		size   fyne.Size
	}{{"", fyne.NewSize(920, 620)}, {"-small", fyne.NewSize(480, 360)}} {
		t.Run("size"+tc.suffix, func(t *testing.T) {
			b := newMemBackend("Sam")
			b.addContact(node.ContactView{Name: "Ana Lima", Online: true, Path: "direct", Remote: "203.0.113.9:41000"})
			b.addContact(node.ContactView{Name: "Ben", Online: true, Path: "punched-udp", Remote: "198.51.100.20:40112"})
			b.addContact(node.ContactView{Name: "Chris", Addr: "192.0.2.77:7777"})
			b.history("Ben", "in", "Are you free for a quick call?", stateReceived)
			b.history("Ben", "out", "Yes, give me a minute", stateDelivered)
			b.call.capture = []audio.Info{{ID: "alsa:usb", Name: "USB Headset Microphone"}, {ID: "alsa:0", Name: "Built-in Audio Analog Stereo"}}
			b.call.playback = []audio.Info{{ID: "alsa:usb-out", Name: "USB Headset"}, {ID: "alsa:0-out", Name: "Built-in Audio Analog Stereo"}}
			b.call.chosenCapture = "alsa:usb"

			m, p := open(t, b)
			fyne.CurrentApp().Settings().SetTheme(variant{theme.DefaultTheme(), theme.VariantLight})
			started := time.Date(2025, 3, 14, 18, 0, 0, 0, time.Local)
			m.now = func() time.Time { return started.Add(3*time.Minute + 12*time.Second) }
			m.calls.linger = time.Hour // the ended view stays for its picture
			m.selectContact("Ben")
			p.until(t, "history shows", func() bool { return len(bubbles(m)) == 2 })
			m.w.Resize(tc.size)

			b.callEvent(ringing("c1", "Ben"))
			p.until(t, "the prompt shows", func() bool { return m.call.mode == panelPrompt })
			p.settle()
			checkCallLayout(t, m, "ringing", m.call.decline, m.call.accept)
			capture(t, m.w, "call-ringing"+tc.suffix)

			v := active("c1", "Ben", "punched-udp", "", started)
			v.Direction = callIncoming
			v.Stats.InputLevel = 0.12
			b.callEvent(v)
			p.until(t, "the call shows, with its devices and level", func() bool {
				return m.call.mode == panelLive && len(m.call.devices.speaker.sel.Options) == 3 &&
					m.call.devices.levelShown > 0
			})
			p.settle()
			pickers := []fyne.CanvasObject{m.call.devices.mic.sel, m.call.devices.speaker.sel, m.call.devices.level}
			if tc.size.Height >= compactHeight {
				checkCallLayout(t, m, "active", append(pickers, m.call.mute, m.call.hangup)...)
				if m.call.more.Visible() {
					t.Error("a tall window should show the device pickers without a button for them")
				}
				capture(t, m.w, "call-active"+tc.suffix)
			} else {
				// A short window keeps the pickers behind a button.
				checkCallLayout(t, m, "active", m.call.mute, m.call.hangup, m.call.more)
				if m.call.row.Visible() {
					t.Error("a short window should keep the device pickers behind a button")
				}
				capture(t, m.w, "call-active"+tc.suffix)
				test.Tap(m.call.more)
				p.settle()
				checkCallLayout(t, m, "active, pickers open", append(pickers, m.call.mute, m.call.hangup)...)
				capture(t, m.w, "call-active-devices"+tc.suffix)
			}

			v.State, v.Reason, v.Duration = callEnded, "remote-hangup", 192
			b.callEvent(v)
			b.mu.Lock()
			line := b.newMessageLocked("Ben", "in", "Call, 3:12", stateReceived)
			line.Kind = kindCall
			b.msgs["Ben"][len(b.msgs["Ben"])-1] = line
			b.emitLocked(node.Event{Message: &line})
			b.mu.Unlock()
			p.until(t, "the end and the call's line show", func() bool {
				return m.call.mode == panelEnded && len(bubbles(m)) == 3
			})
			p.settle()
			checkCallLayout(t, m, "ended")
			capture(t, m.w, "call-ended"+tc.suffix)
		})
	}
}

// checkCallLayout checks that the call panel's words and the given controls
// are whole and inside the window, and that the message box and Send are
// still there to chat with.
func checkCallLayout(t *testing.T, m *Main, state string, controls ...fyne.CanvasObject) {
	t.Helper()
	win := m.w.Canvas().Size()
	d := fyne.CurrentApp().Driver()
	inside := func(what string, o fyne.CanvasObject) {
		t.Helper()
		pos := d.AbsolutePositionForObject(o)
		end := pos.Add(o.Size())
		if !o.Visible() || pos.X < 0 || pos.Y < 0 || end.X > win.Width+0.5 || end.Y > win.Height+0.5 {
			t.Errorf("%s: the %s (at %v to %v, visible %v) is not inside the %v window", state, what, pos, end, o.Visible(), win)
		}
	}
	for _, o := range controls {
		inside(describe(o), o)
		if o.Size().Width < o.MinSize().Width-0.5 {
			t.Errorf("%s: the %s is %v wide but needs %v", state, describe(o), o.Size().Width, o.MinSize().Width)
		}
	}
	for _, s := range []*widget.Select{m.call.devices.mic.sel, m.call.devices.speaker.sel} {
		if !m.call.row.Visible() || m.call.mode != panelLive {
			continue
		}
		need := fyne.MeasureText(systemDefault, theme.TextSize(), fyne.TextStyle{}).Width +
			theme.IconInlineSize() + 4*theme.InnerPadding()
		if s.Size().Width < need {
			t.Errorf("%s: a device picker is %v wide, too narrow for %q (%v)", state, s.Size().Width, systemDefault, need)
		}
	}
	words := m.call.state.Text()
	if need := fyne.MeasureText(words, theme.TextSize(), fyne.TextStyle{}).Width; m.call.state.Size().Width < need {
		t.Errorf("%s: the panel's %q is cut (%v wide, needs %v)", state, words, m.call.state.Size().Width, need)
	}
	inside("panel's words", m.call.state)
	inside("message box", m.chat.entry)
	inside("Send button", m.chat.send)
	if h := m.chat.scroll.Size().Height; h < 30 {
		t.Errorf("%s: the messages have %v px left under the call panel", state, h)
	}
}

// describe names a control for a failure message.
func describe(o fyne.CanvasObject) string {
	switch x := o.(type) {
	case *widget.Button:
		return x.Text + " button"
	case *widget.Select:
		return "device picker (" + x.Selected + ")"
	case *widget.ProgressBar:
		return "level meter"
	}
	return "control"
}
