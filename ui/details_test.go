package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"tincan/core/node"
)

// editBackend is a memBackend that can also change a contact's address
// and name, say when one was revoked, and keep notification settings.
type editBackend struct {
	*memBackend
	emu       sync.Mutex
	addrs     []string // SetContactAddress calls, "name=addr"
	renames   []string // RenameContact calls, "old>new"
	revokedAt map[string]time.Time
	hideText  bool
	muted     map[string]bool
}

func (b *editBackend) SetContactAddress(_ context.Context, name, addr string) error {
	b.emu.Lock()
	b.addrs = append(b.addrs, name+"="+addr)
	b.emu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	i := b.indexLocked(name)
	if i < 0 {
		return fmt.Errorf("no contact called %s", name)
	}
	b.contacts[i].Addr = addr
	b.emitLocked(node.Event{Contacts: true})
	return nil
}

func (b *editBackend) RenameContact(_ context.Context, name, newName string) error {
	b.emu.Lock()
	b.renames = append(b.renames, name+">"+newName)
	b.emu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	i := b.indexLocked(name)
	if i < 0 {
		return fmt.Errorf("no contact called %s", name)
	}
	b.contacts[i].Name = newName
	b.msgs[newName] = b.msgs[name]
	delete(b.msgs, name)
	b.emitLocked(node.Event{Contacts: true})
	return nil
}

func (b *editBackend) RevokedAt(_ context.Context, name string) (time.Time, bool, error) {
	b.emu.Lock()
	defer b.emu.Unlock()
	at, ok := b.revokedAt[name]
	return at, ok, nil
}

func (b *editBackend) NotifyText(context.Context) (bool, error) {
	b.emu.Lock()
	defer b.emu.Unlock()
	return !b.hideText, nil
}

func (b *editBackend) SetNotifyText(_ context.Context, on bool) error {
	b.emu.Lock()
	defer b.emu.Unlock()
	b.hideText = !on
	return nil
}

func (b *editBackend) Muted(_ context.Context, name string) (bool, error) {
	b.emu.Lock()
	defer b.emu.Unlock()
	return b.muted[name], nil
}

func (b *editBackend) SetMuted(_ context.Context, name string, on bool) error {
	b.emu.Lock()
	defer b.emu.Unlock()
	if b.muted == nil {
		b.muted = map[string]bool{}
	}
	b.muted[name] = on
	return nil
}

func (b *editBackend) calls() (addrs, renames []string) {
	b.emu.Lock()
	defer b.emu.Unlock()
	return append([]string(nil), b.addrs...), append([]string(nil), b.renames...)
}

func TestDetailsShowFingerprintAndChangeAddressAndName(t *testing.T) {
	b := &editBackend{memBackend: sizeBackend()}
	m, p := open(t, b)
	m.selectContact("Ana Lima")
	p.settle()
	test.Tap(m.detailsBtn)
	p.until(t, "the details open", func() bool { return m.details != nil })
	d := m.details
	all := strings.Join(textsIn(d.sheet.body), "\n")
	if !strings.Contains(all, "3fa9  c0d1  3fa9  c0d1\n") {
		t.Errorf("the details should show Ana's fingerprint in groups of four, four a line; they show:\n%s", all)
	}
	if !strings.Contains(all, "directly") && !strings.Contains(strings.ToLower(all), "direct") {
		t.Errorf("the details should say how Ana is reached now; they show:\n%s", all)
	}
	if d.addr.Text != "203.0.113.9:7777" {
		t.Errorf("the address box shows %q, want Ana's address", d.addr.Text)
	}

	retype(&d.addr.Entry, "not an address")
	test.Tap(d.saveAddr)
	p.settle()
	if !d.problem.Visible() || !strings.Contains(d.problem.Text, "host:port") {
		t.Errorf("a bad address should be refused in plain words, shown %q", d.problem.Text)
	}
	retype(&d.addr.Entry, "198.51.100.20:7000")
	test.Tap(d.saveAddr)
	p.until(t, "the address is saved", func() bool { a, _ := b.calls(); return len(a) == 1 })
	if a, _ := b.calls(); a[0] != "Ana Lima=198.51.100.20:7000" {
		t.Errorf("SetContactAddress got %q", a[0])
	}
	p.until(t, "the details say it is saved", func() bool { return d.saved.Visible() && !d.problem.Visible() })

	retype(&d.name.Entry, "Ana")
	test.Tap(d.rename)
	p.until(t, "the contact is renamed", func() bool { _, r := b.calls(); return len(r) == 1 })
	p.until(t, "the renamed chat is open", func() bool { return m.selected == "Ana" })

	pressKey(m.w, "Escape")
	p.settle()
	if m.details != nil {
		t.Error("Escape should close the details")
	}
}

// textsIn lists the texts shown under o.
func textsIn(o fyne.CanvasObject) []string {
	var out []string
	walk(o, func(x fyne.CanvasObject) {
		switch l := x.(type) {
		case *widget.Label:
			out = append(out, l.Text)
		case *quietText:
			out = append(out, l.Text())
		}
	})
	return out
}
