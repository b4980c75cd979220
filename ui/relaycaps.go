package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/core/node"
)

// relayCapsForm holds the caps on serving as a relay: relayed connections at
// once and KiB/s per connection and direction. The entries follow the node
// until the user edits them; the node checks the ranges.
type relayCapsForm struct {
	sessions, rate *widget.Entry
	apply          *widget.Button
	problem        *widget.Label
	box            *fyne.Container

	// shownSessions and shownRate are what the code last put in the
	// entries; an entry holding something else has been edited.
	shownSessions, shownRate string
}

func newRelayCapsForm(onApply func()) *relayCapsForm {
	f := &relayCapsForm{}
	f.sessions = widget.NewEntry()
	f.rate = widget.NewEntry()
	for _, e := range []*widget.Entry{f.sessions, f.rate} {
		e.OnSubmitted = func(string) { onApply() }
		e.OnChanged = func(string) { f.problem.Hide() }
	}
	f.apply = widget.NewButton("Apply", onApply)
	f.problem = widget.NewLabel("")
	f.problem.Importance = widget.DangerImportance
	f.problem.Wrapping = fyne.TextWrapWord
	f.problem.Hide()

	// Wide enough for seven digits (1 GB/s); longer text scrolls.
	digits := fyne.MeasureText("0000000", theme.TextSize(), fyne.TextStyle{})
	box := layout.NewGridWrapLayout(fyne.NewSize(digits.Width+4*theme.InnerPadding(), f.sessions.MinSize().Height))
	row := func(e *widget.Entry, after string, end ...fyne.CanvasObject) *fyne.Container {
		objs := append([]fyne.CanvasObject{widget.NewLabel("At most"), container.New(box, e), widget.NewLabel(after)}, end...)
		return container.NewHBox(objs...)
	}
	f.box = container.New(layout.NewCustomPaddedVBoxLayout(0),
		row(f.sessions, "relayed connections at once"),
		row(f.rate, "KiB/s each way per connection"),
		container.NewHBox(f.apply),
		f.problem)
	return f
}

// show puts the node's caps in the entries the user has not edited.
func (f *relayCapsForm) show(r *node.RelayStatus) {
	follow := func(e *widget.Entry, shown *string, s string) {
		if e.Text != *shown || e.Text == s {
			return
		}
		e.SetText(s)
		*shown = s
	}
	follow(f.sessions, &f.shownSessions, capText(int64(r.MaxSessions)))
	follow(f.rate, &f.shownRate, capText(r.RateKiB))
}

// read returns the caps the entries hold, or an error to show if one is
// not a whole number.
func (f *relayCapsForm) read() (sessions int, rateKiB int64, err error) {
	s, err := wholeNumber(f.sessions.Text)
	if err != nil {
		return 0, 0, fmt.Errorf("connections at once: %w", err)
	}
	r, err := wholeNumber(f.rate.Text)
	if err != nil {
		return 0, 0, fmt.Errorf("KiB/s per connection: %w", err)
	}
	return int(s), r, nil
}

// setEnabled enables or disables the entries and Apply together.
func (f *relayCapsForm) setEnabled(on bool) {
	for _, w := range []fyne.Disableable{f.sessions, f.rate, f.apply} {
		if on {
			w.Enable()
		} else {
			w.Disable()
		}
	}
}

func (f *relayCapsForm) fail(err error) {
	f.problem.SetText(sentence(err.Error()))
	f.problem.Show()
}

// capText is a cap as an entry shows it; a cap the node did not report
// (0) shows empty.
func capText(n int64) string {
	if n <= 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// wholeNumber parses s as a whole number (surrounding spaces ignored).
func wholeNumber(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("enter a whole number")
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("%s is far too big", s)
	}
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	return n, nil
}

// setRelayCaps asks the node to use the caps in the dialog's entries.
func (m *Main) setRelayCaps(d *networkDialog) {
	f := d.caps
	if f.apply.Disabled() {
		return
	}
	sessions, rate, err := f.read()
	if err != nil {
		f.fail(err)
		d.reveal = true
		d.resize()
		return
	}
	f.problem.Hide()
	f.setEnabled(false)
	m.changeNetwork(d, func(ctx context.Context) error {
		err := m.b.SetRelayCaps(ctx, sessions, rate)
		if err != nil && !node.IsBadInput(err) {
			return fmt.Errorf("could not change the relay limits: %w", err)
		}
		return err
	}, func(err error) {
		f.setEnabled(true)
		if err != nil {
			f.fail(err)
			d.reveal = true
			return
		}
		// The entries hold what the node now has; let them follow it again.
		f.shownSessions, f.shownRate = f.sessions.Text, f.rate.Text
	})
}
