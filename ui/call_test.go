package ui

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"tincan/core/audio"
	"tincan/core/node"
)

// panelSays is what the call panel shows: its title and state line, or
// "(hidden)".
func panelSays(m *Main) string {
	if !m.call.root.Visible() {
		return "(hidden)"
	}
	return m.call.title.Text + " / " + m.call.state.Text()
}

// headerCall is what the conversation header shows for calls: the Call
// button (and whether it is enabled) or the call's words.
func headerCall(m *Main) string {
	h := m.chat.callHdr
	switch {
	case h.now.Visible() && !h.btn.Visible():
		return h.words.Text
	case h.btn.Visible() && !h.now.Visible() && h.btn.Disabled():
		return "Call (disabled)"
	case h.btn.Visible() && !h.now.Visible():
		return "Call"
	}
	return fmt.Sprintf("both or neither shown (button %v, call %v)", h.btn.Visible(), h.now.Visible())
}

// callsTaken waits until the backend has taken n call methods and returns them.
func callsTaken(t *testing.T, p *pump, b *memBackend, n int) []string {
	t.Helper()
	p.until(t, fmt.Sprintf("the node is asked %d call thing(s)", n), func() bool { return len(b.callLog()) >= n })
	return b.callLog()
}

// openWithCall opens the window over a backend with Ana, Ben and a revoked
// Carl, and lingers ended calls only briefly.
func openWithCall(t *testing.T) (*Main, *pump, *memBackend) {
	t.Helper()
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana", Online: true, Path: "direct"})
	b.addContact(node.ContactView{Name: "Ben", Online: true, Path: "punched-udp"})
	b.addContact(node.ContactView{Name: "Carl", Revoked: true})
	m, p := open(t, b)
	m.calls.linger = 300 * time.Millisecond
	return m, p, b
}

func TestCallButtonCallsTheOpenContact(t *testing.T) {
	m, p, b := openWithCall(t)
	m.selectContact("Carl")
	if got := headerCall(m); got != "Call (disabled)" {
		t.Fatalf("a revoked contact's header shows %q, want a disabled Call button", got)
	}
	m.selectContact("Ana")
	if got := headerCall(m); got != "Call" {
		t.Fatalf("Ana's header shows %q, want an enabled Call button", got)
	}
	if panelSays(m) != "(hidden)" {
		t.Fatalf("with no call the panel shows %q", panelSays(m))
	}

	test.Tap(m.chat.callHdr.btn)
	if got := callsTaken(t, p, b, 1); got[0] != "call Ana" {
		t.Fatalf("the Call button asked the node %q, want to call Ana", got[0])
	}
	p.until(t, "the panel says it is calling Ana", func() bool { return panelSays(m) == "Ana / Calling Ana…" })
	if got := headerCall(m); got != "Calling…" {
		t.Fatalf("while calling Ana her header shows %q, want the call in the button's place", got)
	}
	if !m.call.hangup.Visible() || !m.call.mute.Visible() || m.call.accept.Visible() {
		t.Fatal("an outgoing call should offer Hang up and Mute, not Accept")
	}

	v := b.CurrentCall()
	v.RemoteRinging = true
	b.callEvent(v)
	p.until(t, "the panel says it rings", func() bool { return panelSays(m) == "Ana / Ringing…" })

	// Another chat: its Call button waits, and the panel stays with Ana's call.
	m.selectContact("Ben")
	if got := headerCall(m); got != "Call (disabled)" {
		t.Fatalf("during a call with Ana, Ben's header shows %q, want a disabled Call button", got)
	}
	if panelSays(m) != "Ana / Ringing…" {
		t.Fatalf("opening another chat changed the panel to %q", panelSays(m))
	}
	if len(m.w.Canvas().Overlays().List()) != 0 {
		t.Fatal("a call must not open a dialog over the window")
	}
}

func TestCallErrorShowsInWords(t *testing.T) {
	m, p, b := openWithCall(t)
	b.call.err = errors.New("already in a call")
	m.selectContact("Ana")
	test.Tap(m.chat.callHdr.btn)
	p.until(t, "the error shows", func() bool { return overlayShows(m.w, "Could not call Ana: you are already in a call.") })
	if got := headerCall(m); got != "Call" {
		t.Fatalf("after a failed call the header shows %q, want the Call button back", got)
	}
}

func TestIncomingCallAccept(t *testing.T) {
	m, p, b := openWithCall(t)
	m.selectContact("Ana")
	b.callEvent(ringing("c1", "Ben"))
	p.until(t, "the prompt shows", func() bool { return m.call.mode == panelPrompt })
	if got := panelSays(m); got != "Ben is calling / Incoming call" {
		t.Fatalf("the prompt says %q", got)
	}
	if !m.call.accept.Visible() || !m.call.decline.Visible() || m.call.hangup.Visible() {
		t.Fatal("the prompt should offer Accept and Decline only")
	}
	// The prompt does not block the window: no dialog, and the chat still takes text.
	if len(m.w.Canvas().Overlays().List()) != 0 {
		t.Fatal("the prompt must not be a dialog over the window")
	}
	test.Type(m.chat.entry, "one moment")
	if m.chat.entry.Text != "one moment" {
		t.Fatalf("the message box took %q while the call rang", m.chat.entry.Text)
	}

	test.Tap(m.call.accept)
	if got := callsTaken(t, p, b, 1); got[0] != "answer Ben" {
		t.Fatalf("Accept asked the node %q, want to answer Ben", got[0])
	}
	p.until(t, "the panel connects", func() bool { return panelSays(m) == "Ben / Connecting…" })
	if m.selected != "Ben" {
		t.Fatalf("accepting should open the caller's chat, %q is open", m.selected)
	}
	if got := headerCall(m); got != "Connecting…" {
		t.Fatalf("Ben's header shows %q", got)
	}
}

func TestIncomingCallDecline(t *testing.T) {
	m, p, b := openWithCall(t)
	b.callEvent(ringing("c1", "Ben"))
	p.until(t, "the prompt shows", func() bool { return m.call.mode == panelPrompt })
	test.Tap(m.call.decline)
	if got := callsTaken(t, p, b, 1); got[0] != "decline Ben" {
		t.Fatalf("Decline asked the node %q, want to decline Ben", got[0])
	}
	p.until(t, "the panel says the call was declined", func() bool { return panelSays(m) == "Ben / Call declined" })
	p.until(t, "the panel goes away", func() bool { return panelSays(m) == "(hidden)" })
}

func TestActiveCallTimerPathLevelAndHangup(t *testing.T) {
	m, p, b := openWithCall(t)
	started := time.Date(2025, 3, 14, 18, 0, 0, 0, time.Local)
	at := started.Add(3*time.Minute + 12*time.Second)
	m.now = func() time.Time { return at }
	m.selectContact("Ben")
	b.callEvent(active("c2", "Ben", "punched-udp", "", started))
	p.until(t, "the panel shows the call", func() bool { return panelSays(m) == "Ben / 3:12 · hole-punched UDP" })
	if got := headerCall(m); got != "In call · 3:12" {
		t.Fatalf("Ben's header shows %q", got)
	}

	// The timer moves on by itself, once a second.
	at = at.Add(time.Second)
	p.until(t, "the timer shows 3:13", func() bool { return panelSays(m) == "Ben / 3:13 · hole-punched UDP" })
	p.until(t, "the header follows", func() bool { return headerCall(m) == "In call · 3:13" })

	// The level meter follows the microphone, read off the UI goroutine.
	b.setLevel(0.5)
	p.until(t, "the meter shows the level", func() bool {
		return m.call.devices.level.Visible() && m.call.devices.level.Value == meterValue(0.5)
	})
	if meterValue(0.5) < 0.85 || meterValue(0.001) != 0 || meterValue(1) != 1 {
		t.Fatalf("the meter reads %v at half scale, %v at -60 dB, %v at full scale",
			meterValue(0.5), meterValue(0.001), meterValue(1))
	}

	// The path in words: a relay names itself.
	b.callEvent(active("c2", "Ben", "relay", "1.2.3.4:7448", started))
	p.until(t, "the panel names the relay", func() bool { return panelSays(m) == "Ben / 3:13 · relay via 1.2.3.4:7448" })

	test.Tap(m.call.hangup)
	if got := callsTaken(t, p, b, 1); got[0] != "hangup" {
		t.Fatalf("Hang up asked the node %q", got[0])
	}
	p.until(t, "the panel says the call ended", func() bool { return panelSays(m) == "Ben / Call ended" })
	p.until(t, "the timer goroutine stops", func() bool { return m.calls.loops.Load() == 0 })
	polls := b.polls()
	p.until(t, "the panel goes away", func() bool { return panelSays(m) == "(hidden)" })
	if got := headerCall(m); got != "Call" {
		t.Fatalf("after the call Ben's header shows %q, want the Call button", got)
	}
	if b.polls() != polls {
		t.Fatalf("the level was read %d more times after the call ended", b.polls()-polls)
	}
}

func TestMuteToggles(t *testing.T) {
	m, p, b := openWithCall(t)
	started := time.Now()
	m.now = func() time.Time { return started }
	b.callEvent(active("c3", "Ana", "direct", "", started))
	p.until(t, "the panel shows the call", func() bool { return panelSays(m) == "Ana / 0:00 · direct" })
	if m.call.mute.Text != "Mute" {
		t.Fatalf("the mute button says %q before muting", m.call.mute.Text)
	}
	test.Tap(m.call.mute)
	if got := callsTaken(t, p, b, 1); got[0] != "mute on" {
		t.Fatalf("Mute asked the node %q", got[0])
	}
	p.until(t, "the button offers to unmute", func() bool { return m.call.mute.Text == "Unmute" })
	if got := panelSays(m); got != "Ana / 0:00 · direct · muted" {
		t.Fatalf("a muted call reads %q", got)
	}
	test.Tap(m.call.mute)
	if got := callsTaken(t, p, b, 2); got[1] != "mute off" {
		t.Fatalf("Unmute asked the node %q", got[1])
	}
	p.until(t, "the button offers to mute again", func() bool { return m.call.mute.Text == "Mute" })
}

func TestEndedCallSaysWhyThenGoes(t *testing.T) {
	m, p, b := openWithCall(t)
	started := time.Date(2025, 3, 14, 18, 0, 0, 0, time.Local)
	m.now = func() time.Time { return started.Add(time.Minute) }
	b.callEvent(active("c4", "Ben", "direct", "", started))
	p.until(t, "the panel shows the call", func() bool { return m.call.mode == panelLive })
	ended := active("c4", "Ben", "direct", "", started)
	ended.State, ended.Reason, ended.Duration = callEnded, "remote-hangup", 192
	b.callEvent(ended)
	p.until(t, "the panel says Ben hung up", func() bool { return panelSays(m) == "Ben / Call ended: Ben hung up · 3:12" })
	if m.call.hangup.Visible() || m.call.mute.Visible() || m.call.devices.root.Visible() {
		t.Fatal("an ended call should offer no controls")
	}
	p.until(t, "the panel goes away", func() bool { return panelSays(m) == "(hidden)" && m.calls.loops.Load() == 0 })

	// A new call while an ended one lingers takes the panel at once.
	b.callEvent(node.CallView{ID: "c5", State: callEnded, Contact: "Ana", Direction: "outgoing", Reason: "declined"})
	p.until(t, "the panel says Ana declined", func() bool { return panelSays(m) == "Ana / Call ended: Ana declined" })
	b.callEvent(ringing("c6", "Ben"))
	p.until(t, "the new call rings", func() bool { return panelSays(m) == "Ben is calling / Incoming call" })
	if m.calls.stopLinger != nil {
		t.Fatal("the ended call's timer should be stopped once a new call rings")
	}
}

func TestCallEndWords(t *testing.T) {
	out := node.CallView{Contact: "Ben", Direction: "outgoing", State: callEnded}
	in := node.CallView{Contact: "Ben", Direction: callIncoming, State: callEnded}
	for _, tc := range []struct {
		v      node.CallView
		reason string
		want   string
	}{
		{out, "hangup", "Call ended"},
		{out, "remote-hangup", "Call ended: Ben hung up"},
		{out, "declined", "Call ended: Ben declined"},
		{in, "declined", "Call declined"},
		{out, "busy", "Call ended: Ben is in another call"},
		{out, "cancelled", "Call cancelled"},
		{in, "cancelled", "Missed call: Ben stopped calling"},
		{in, "missed", "Missed call from Ben"},
		{out, "no-answer", "Call ended: no answer from Ben"},
		{out, "offline", "Call failed: Ben is offline"},
		{out, "lost", "Call ended: the connection was lost"},
		{out, "shutdown", "Call ended: tincan is closing"},
	} {
		v := tc.v
		v.Reason = tc.reason
		if got := callEndWords(v); got != tc.want {
			t.Errorf("%s call ended by %q reads %q, want %q", v.Direction, tc.reason, got, tc.want)
		}
	}
	long := out
	started := time.Now()
	long.Reason, long.StartedAt, long.Duration = "remote-hangup", &started, 191.6
	if got := callEndWords(long); got != "Call ended: Ben hung up · 3:12" {
		t.Errorf("a call of 191.6 s reads %q, want its length rounded as in the conversation's line", got)
	}
	failed := out
	failed.Reason, failed.Error = "failed", "open audio: malgo: device init failed"
	if got := callEndWords(failed); got != "Call failed: the microphone or speaker could not be opened" {
		t.Errorf("a failed device reads %q", got)
	}
}

func TestIncomingCallWhenNotLooking(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "") // no notification server: the plain notification
	m, p, b := openWithCall(t)
	m.hide()
	test.AssertNotificationSent(t, fyne.NewNotification("Ben is calling", "Answer or decline in tincan."), func() {
		b.callEvent(ringing("c7", "Ben"))
		p.until(t, "the prompt shows", func() bool { return m.call.mode == panelPrompt })
	})
	if !m.visible {
		t.Fatal("a call ringing while the window is hidden should bring the window back")
	}

	// In the background, unanswered: the call rings, then is missed.
	m.foreground = false
	test.AssertNotificationSent(t, fyne.NewNotification("Ana is calling", "Answer or decline in tincan."), func() {
		b.callEvent(ringing("c8", "Ana"))
		p.until(t, "Ana's call rings", func() bool { return panelSays(m) == "Ana is calling / Incoming call" })
	})
	test.AssertNotificationSent(t, fyne.NewNotification("Ana", "Missed call from Ana"), func() {
		missed := ringing("c8", "Ana")
		missed.State, missed.Reason = callEnded, "missed"
		b.callEvent(missed)
		p.until(t, "the panel says the call was missed", func() bool { return panelSays(m) == "Ana / Missed call from Ana" })
	})
	// The missed call's line in the conversation raises the badge but no
	// second notification.
	test.AssertNotificationSent(t, nil, func() {
		b.mu.Lock()
		line := b.newMessageLocked("Ana", "in", "Missed call", stateReceived)
		line.Kind = kindCall
		b.contacts[b.indexLocked("Ana")].Unread++
		b.emitLocked(node.Event{Message: &line})
		b.mu.Unlock()
		p.until(t, "Ana's badge shows 1", func() bool { return badge(m, "Ana") == "1" })
	})
}

func TestCallLineIsASystemLine(t *testing.T) {
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana", Online: true, Path: "direct"})
	b.history("Ana", "out", "Call me?", stateDelivered)
	b.mu.Lock()
	for _, text := range []string{"Missed call", "Call, 3:12"} {
		b.seq++
		b.at = b.at.Add(time.Minute)
		b.msgs["Ana"] = append(b.msgs["Ana"], node.MessageView{ID: fmt.Sprintf("%032x", b.seq), Contact: "Ana",
			Direction: "out", Text: text, SentAt: b.at, At: b.at, State: stateDelivered, Kind: kindCall})
	}
	b.mu.Unlock()
	m, p := open(t, b)
	m.now = func() time.Time { return time.Date(2025, 3, 14, 18, 0, 0, 0, time.Local) }
	times := map[string]string{"Missed call": "09:32", "Call, 3:12": "09:33"}
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		fyne.CurrentApp().Settings().SetTheme(variant{theme.DefaultTheme(), v})
		m.selectContact("Ana")
		p.until(t, "the history shows", func() bool { return len(bubbles(m)) == 3 })
		width := m.chat.rows.Size().Width
		for _, bub := range shown[*bubble](m.w) {
			if bub.msg.Kind != kindCall {
				if bub.system {
					t.Errorf("the message %q is drawn as a system line", bub.msg.Text)
				}
				continue
			}
			mid := bub.bg.Position().X + bub.bg.Size().Width/2
			if !bub.system || !bub.icon.Visible() || mid < width/2-2 || mid > width/2+2 {
				t.Errorf("the call line %q should be a centred system line with an icon (system %v, centre %v of %v)",
					bub.msg.Text, bub.system, mid, width)
			}
			if bub.meta.Text != times[bub.msg.Text] {
				t.Errorf("the call line %q shows %q beside it, want only its time", bub.msg.Text, bub.meta.Text)
			}
			if c := contrast(bub.meta.Color, bub.bg.FillColor); c < wcagAA {
				t.Errorf("the call line's time has a contrast of %.2f:1 (variant %v), below WCAG AA", c, v)
			}
			if c := contrast(theme.Color(theme.ColorNameForeground), bub.bg.FillColor); c < wcagAA {
				t.Errorf("the call line's text has a contrast of %.2f:1 (variant %v), below WCAG AA", c, v)
			}
			if end := bub.meta.Position().X + bub.meta.Size().Width; end > bub.bg.Position().X+bub.bg.Size().Width {
				t.Errorf("the call line's time runs out of its pill (%v past %v)", end,
					bub.bg.Position().X+bub.bg.Size().Width)
			}
		}
		m.selectContact("")
	}
}

func TestDevicePickersSwitchAndRemember(t *testing.T) {
	m, p, b := openWithCall(t)
	b.call.capture = []audio.Info{{ID: "hw:1", Name: "USB Headset"}, {ID: "hw:0", Name: "Built-in Audio"}}
	b.call.playback = []audio.Info{{ID: "hw:0", Name: "Built-in Audio"}, {ID: "hw:1", Name: "USB Headset"},
		{ID: "hw:2", Name: "USB Headset"}}
	b.call.chosenCapture = "hw:1"
	started := time.Now()
	m.now = func() time.Time { return started }
	b.callEvent(active("c9", "Ana", "direct", "", started))
	d := m.call.devices
	p.until(t, "the pickers list the devices", func() bool { return len(d.speaker.sel.Options) == 4 })
	if got := d.mic.sel.Options; !slices.Equal(got, []string{"System default", "USB Headset", "Built-in Audio"}) {
		t.Fatalf("the microphone picker lists %q", got)
	}
	if got := d.speaker.sel.Options; !slices.Equal(got, []string{"System default", "Built-in Audio", "USB Headset", "USB Headset (2)"}) {
		t.Fatalf("the speaker picker lists %q", got)
	}
	if d.mic.sel.Selected != "USB Headset" || d.speaker.sel.Selected != "System default" {
		t.Fatalf("the pickers show %q and %q, want the node's choice", d.mic.sel.Selected, d.speaker.sel.Selected)
	}

	d.speaker.sel.SetSelected("USB Headset (2)")
	if got := callsTaken(t, p, b, 1); got[0] != "devices hw:1,hw:2" {
		t.Fatalf("choosing a speaker asked the node %q", got[0])
	}
	p.until(t, "the pickers are enabled again", func() bool { return !d.speaker.sel.Disabled() })

	// A refused change goes back to the node's choice and says why.
	b.mu.Lock()
	b.call.devErr = errors.New("device busy")
	b.mu.Unlock()
	d.mic.sel.SetSelected("System default")
	p.until(t, "the error shows", func() bool { return m.call.problem.Visible() })
	if got := m.call.problem.Text; got != "Could not switch the audio device: device busy." {
		t.Fatalf("the panel says %q", got)
	}
	if d.mic.sel.Selected != "USB Headset" || d.speaker.sel.Selected != "USB Headset (2)" {
		t.Fatalf("after a refused change the pickers show %q and %q", d.mic.sel.Selected, d.speaker.sel.Selected)
	}
	if got := b.callLog(); len(got) != 2 || got[1] != "devices ,hw:2" {
		t.Fatalf("the node was asked %q", got)
	}
}

func TestCallPanelColoursMeetWCAGAA(t *testing.T) {
	test.NewTempApp(t)
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		fyne.CurrentApp().Settings().SetTheme(variant{theme.DefaultTheme(), v})
		th := callTheme{}
		panel := callPanelColor(fyne.CurrentApp().Settings().Theme(), v)
		for _, pair := range [][2]fyne.ThemeColorName{
			{theme.ColorNameForeground, ""},
			{theme.ColorNamePlaceHolder, ""},
			{theme.ColorNameError, ""},
			{theme.ColorNameForegroundOnError, theme.ColorNameError},
			{theme.ColorNameForegroundOnSuccess, theme.ColorNameSuccess},
			{theme.ColorNameForeground, theme.ColorNameButton},
		} {
			bg := panel
			what := "the panel"
			if pair[1] != "" {
				bg, what = th.Color(pair[1], v), string(pair[1])
			}
			if r := contrast(th.Color(pair[0], v), bg); r < wcagAA {
				t.Errorf("variant %v: %s text on %s has a contrast of %.2f:1, below WCAG AA", v, pair[0], what, r)
			}
		}
	}
}
