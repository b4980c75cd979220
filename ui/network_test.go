package ui

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"tincan/core/node"
)

// openNetworkDialog taps Network and waits for the status to show.
func openNetworkDialog(t *testing.T, m *Main, p *pump) *networkDialog {
	t.Helper()
	test.Tap(findButton(t, m.w, "Network"))
	d := m.netDialog
	if d == nil {
		t.Fatal("Network did not open the dialog")
	}
	p.until(t, "the status shows", func() bool { return !d.policy.Disabled() })
	return d
}

func TestNetworkDialogShowsNATAndChangesPolicy(t *testing.T) {
	b := newMemBackend("Me")
	b.nat = &node.NATStatus{Type: "port-restricted", External: "203.0.113.7:41000", Mapped: []string{"tcp 7777 → 7777"}}
	b.observed = []string{"198.51.100.2:7777"}
	m, p := open(t, b)
	d := openNetworkDialog(t, m, p)

	if d.nat.Text != "Port-restricted NAT" || d.external.Text != "203.0.113.7:41000" || d.mapped.Text != "tcp 7777 → 7777" {
		t.Fatalf("shows NAT %q, external %q, mapped %q", d.nat.Text, d.external.Text, d.mapped.Text)
	}
	if !labelShown(m.w, "Port-restricted NAT") || !strings.Contains(d.natHelp.Text(), "hole punching") {
		t.Fatalf("the NAT type is not shown in words (help %q)", d.natHelp.Text())
	}
	if d.policy.Selected != "Ask each time" || d.serve.Checked || d.stats.Visible() {
		t.Fatalf("policy %q, serving %v, stats shown %v", d.policy.Selected, d.serve.Checked, d.stats.Visible())
	}
	if slices.Contains(shown[*widget.Entry](m.w), d.caps.sessions) {
		t.Fatal("the relay caps show while not relaying for others")
	}

	test.Tap(findRadio(t, d, "Never"))
	p.until(t, "the node has the new policy", func() bool {
		_, policies, _ := b.relayCalls()
		return len(policies) == 1
	})
	if _, policies, _ := b.relayCalls(); policies[0] != "never" {
		t.Fatalf("SetRelayPolicy(%q), want never", policies[0])
	}
	p.until(t, "the policy control is back", func() bool { return !d.policy.Disabled() })
	if d.policy.Selected != "Never" || d.problem.Visible() {
		t.Fatalf("policy shows %q, problem %q", d.policy.Selected, d.problem.Text)
	}

	// Serving shows what is being relayed.
	b.mu.Lock()
	b.relay.Active, b.relay.Sessions, b.relay.BytesRelayed = 2, 7, 14_230_000
	b.mu.Unlock()
	test.Tap(d.serve)
	p.until(t, "the stats show", func() bool { return d.stats.Visible() })
	if _, _, serves := b.relayCalls(); !slices.Equal(serves, []bool{true}) {
		t.Fatalf("SetServeRelay calls %v, want [true]", serves)
	}
	if shownEntries(m) != "16|256" {
		t.Fatalf("relay caps show %q, want the node's 16|256", shownEntries(m))
	}
	if d.relayNow.Text() != "Relaying 2 connections now" ||
		d.totals.Text() != "7 connections, 14.2 MB relayed since tincan started" {
		t.Fatalf("stats read %q / %q", d.relayNow.Text(), d.totals.Text())
	}

	test.Tap(findButton(t, m.w, "Close"))
	if m.netDialog != nil || len(m.w.Canvas().Overlays().List()) != 0 {
		t.Fatal("Close should close the dialog")
	}
	if _, policies, serves := b.relayCalls(); len(policies) != 1 || len(serves) != 1 {
		t.Fatalf("showing the status must not change settings: %v %v", policies, serves)
	}
}

func TestNetworkDialogBeforeDetectionAndOnErrors(t *testing.T) {
	b := newMemBackend("Me")
	b.observed = []string{"198.51.100.2:7777"}
	b.relay = node.RelayStatus{Use: node.RelaysAlways, Serve: true}
	m, p := open(t, b)
	d := openNetworkDialog(t, m, p)
	if d.nat.Text != "Not detected yet" || d.external.Text != "198.51.100.2:7777" || d.mapped.Text != "none" {
		t.Fatalf("shows NAT %q, external %q, mapped %q", d.nat.Text, d.external.Text, d.mapped.Text)
	}
	if d.policy.Selected != "Always" || !d.serve.Checked || !d.stats.Visible() {
		t.Fatalf("policy %q, serving %v, stats %v", d.policy.Selected, d.serve.Checked, d.stats.Visible())
	}

	// A change the node refuses shows inline and the control goes back.
	b.mu.Lock()
	b.relayErr = errors.New("database is locked")
	b.mu.Unlock()
	test.Tap(findRadio(t, d, "Ask each time"))
	p.until(t, "the error shows", func() bool { return d.problem.Visible() })
	if !strings.Contains(d.problem.Text, "database is locked") || d.policy.Selected != "Always" {
		t.Fatalf("problem %q, policy shows %q", d.problem.Text, d.policy.Selected)
	}
	test.Tap(d.serve)
	p.until(t, "the serve control is back", func() bool { return !d.serve.Disabled() })
	if !d.serve.Checked || !strings.Contains(d.problem.Text, "stop relaying") {
		t.Fatalf("serving shows %v, problem %q", d.serve.Checked, d.problem.Text)
	}
}

// findRadio returns the tappable option labelled label in the dialog's
// relay policy choice, as a user would tap it.
func findRadio(t *testing.T, d *networkDialog, label string) fyne.Tappable {
	t.Helper()
	var found fyne.Tappable
	walk(d.policy, func(o fyne.CanvasObject) {
		tap, ok := o.(fyne.Tappable)
		if !ok || o == fyne.CanvasObject(d.policy) {
			return
		}
		if v := reflect.ValueOf(o).Elem(); v.Kind() == reflect.Struct {
			if f := v.FieldByName("Label"); f.Kind() == reflect.String && f.String() == label {
				found = tap
			}
		}
	})
	if found == nil {
		t.Fatalf("no %q option shown", label)
	}
	return found
}

// shownEntries is the text of the entries the window shows, joined by |.
func shownEntries(m *Main) string {
	var ts []string
	for _, e := range shown[*widget.Entry](m.w) {
		if e != &m.chat.entry.Entry {
			ts = append(ts, e.Text)
		}
	}
	return strings.Join(ts, "|")
}

// retype replaces what e holds with s, as a user would type it.
func retype(e *widget.Entry, s string) {
	e.SetText("")
	test.Type(e, s)
}

func TestNetworkDialogRelayCaps(t *testing.T) {
	b := newMemBackend("Me")
	b.relay = node.RelayStatus{Use: node.RelaysAsk, Serve: true, MaxSessions: 16, RateKiB: 256}
	m, p := open(t, b)
	d := openNetworkDialog(t, m, p)
	f := d.caps
	if shownEntries(m) != "16|256" || !labelShown(m.w, "relayed connections at once") ||
		!labelShown(m.w, "KiB/s each way per connection") {
		t.Fatalf("relay caps show %q", shownEntries(m))
	}

	retype(f.sessions, "8")
	retype(f.rate, "1024")
	test.Tap(findButton(t, m.w, "Apply"))
	p.until(t, "the caps are applied", func() bool { return len(b.capsCalls()) == 1 && !f.apply.Disabled() })
	if got := b.capsCalls(); got[0] != (relayCaps{8, 1024}) {
		t.Fatalf("SetRelayCaps%v, want {8 1024}", got[0])
	}
	if f.problem.Visible() || d.problem.Visible() || shownEntries(m) != "8|1024" {
		t.Fatalf("after applying: caps %q, problems %q / %q", shownEntries(m), f.problem.Text, d.problem.Text)
	}

	// The entries follow the node (caps changed elsewhere) until the user
	// edits one; an edited entry keeps what the user typed.
	b.mu.Lock()
	b.relay.MaxSessions, b.relay.RateKiB = 20, 512
	b.mu.Unlock()
	st, _ := b.Status(context.Background())
	d.show(st)
	if shownEntries(m) != "20|512" {
		t.Fatalf("caps show %q, want the node's new 20|512", shownEntries(m))
	}
	retype(f.sessions, "12")
	b.mu.Lock()
	b.relay.RateKiB = 300
	b.mu.Unlock()
	st, _ = b.Status(context.Background())
	d.show(st)
	if shownEntries(m) != "12|300" {
		t.Fatalf("caps show %q, want the edited 12 and the node's 300", shownEntries(m))
	}

	// Not whole numbers: an inline error and no call, by Apply or by Enter.
	for _, tc := range []struct{ sessions, rate, want string }{
		{"lots", "256", `"lots" is not a whole number`},
		{"8", "1.5", `"1.5" is not a whole number`},
		{"8", "", "enter a whole number"},
		{"99999999999", "256", "far too big"},
	} {
		retype(f.sessions, tc.sessions)
		retype(f.rate, tc.rate)
		if tc.rate == "" {
			f.rate.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		} else {
			test.Tap(f.apply)
		}
		p.settle()
		if !f.problem.Visible() || !strings.Contains(f.problem.Text, tc.want) {
			t.Errorf("%q, %q: problem %q (shown %v), want %q", tc.sessions, tc.rate, f.problem.Text, f.problem.Visible(), tc.want)
		}
		if n := len(b.capsCalls()); n != 1 {
			t.Fatalf("%q, %q: SetRelayCaps was called (%d calls)", tc.sessions, tc.rate, n)
		}
	}
	retype(f.rate, "256")
	if f.problem.Visible() {
		t.Error("editing should clear the caps error")
	}

	// A refusal from the node shows inline; the entries keep what was typed.
	b.mu.Lock()
	b.relayErr = errors.New("database is locked")
	b.mu.Unlock()
	retype(f.sessions, "8")
	retype(f.rate, "1024")
	f.rate.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	p.until(t, "the refusal shows", func() bool { return len(b.capsCalls()) == 2 && f.problem.Visible() })
	if f.problem.Text != "Could not change the relay limits: database is locked." || f.apply.Disabled() ||
		shownEntries(m) != "8|1024" {
		t.Fatalf("problem %q, apply disabled %v, caps %q", f.problem.Text, f.apply.Disabled(), shownEntries(m))
	}

	// Serving off hides the caps.
	b.mu.Lock()
	b.relayErr = nil
	b.mu.Unlock()
	test.Tap(d.serve)
	p.until(t, "serving is off", func() bool { return !d.serve.Disabled() && !d.stats.Visible() })
	if shownEntries(m) != "" {
		t.Fatalf("entries %q show while not relaying for others", shownEntries(m))
	}
}
