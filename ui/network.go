package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/core/node"
)

// networkRefresh is how often the open network dialog reads the status again.
const networkRefresh = 3 * time.Second

// networkWidth is the network dialog's width.
const networkWidth = 600

// networkDialog shows how the node reaches the internet (NAT type, external
// address, mapped ports) and holds the relay settings: when to use a relay,
// whether to relay for others and how much. Errors show inside it.
type networkDialog struct {
	nat          *widget.Label
	natHelp      *quietText
	external     *widget.Label
	externalHelp *quietText
	mapped       *widget.Label
	mappedHelp   *quietText
	policy       *widget.RadioGroup
	serve        *widget.Check
	relayNow     *quietText
	totals       *quietText
	stats        *fyne.Container // what is relayed, and the caps, while serving
	caps         *relayCapsForm
	problem      *widget.Label
	body         *fyne.Container   // everything above Close
	scroll       *container.Scroll // holds body; scrolls only if the window is too low
	sheet        *sheet
	dlg          *dialog.CustomDialog

	policyNow string // the node's relay policy, as last known
	serveNow  bool   // whether the node serves relays, as last known
	busy      int    // changes in flight
	reveal    bool   // a new problem shows: scroll to it on the next resize
	applying  bool   // the code, not the user, is setting the controls
	stop      context.CancelFunc
}

// showNetwork opens the network dialog and reads the status for it, again
// every few seconds while it is open.
func (m *Main) showNetwork() {
	if m.netDialog != nil {
		return
	}
	d := m.openNetwork()
	m.netDialog = d
	ctx, cancel := context.WithCancel(m.work.ctx)
	d.stop = cancel
	m.work.loop(func(context.Context) {
		t := time.NewTicker(networkRefresh)
		defer t.Stop()
		for {
			st, err := m.b.Status(ctx)
			if ctx.Err() != nil {
				return
			}
			m.work.toUI(func() {
				if err != nil {
					d.fail(fmt.Errorf("could not read the network status: %w", err))
					return
				}
				d.show(st)
			})
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
}

func (m *Main) openNetwork() *networkDialog {
	d := &networkDialog{}
	d.nat = widget.NewLabel("Reading…")
	d.natHelp = hintText("")
	d.external = widget.NewLabel("…")
	d.external.Selectable = true
	d.externalHelp = hintText("")
	d.mapped = wrapped("…")
	d.mappedHelp = hintText("")

	labels := make([]string, len(policyChoices))
	for i, c := range policyChoices {
		labels[i] = c.label
	}
	d.policy = widget.NewRadioGroup(labels, func(s string) { m.setRelayPolicy(d, s) })
	d.policy.Horizontal = false
	d.policy.Required = true
	d.policy.Disable()
	d.serve = widget.NewCheck("Relay for others", func(on bool) { m.setServeRelay(d, on) })
	d.serve.Disable()
	d.relayNow = newQuietText("", theme.SizeNameCaptionText, fyne.TextAlignLeading)
	d.totals = newQuietText("", theme.SizeNameCaptionText, fyne.TextAlignLeading)
	d.caps = newRelayCapsForm(func() { m.setRelayCaps(d) })
	d.caps.setEnabled(false)
	d.stats = container.New(layout.NewCustomPaddedLayout(0, 0, theme.Padding()*4, 0), container.NewVBox(
		container.New(layout.NewCustomPaddedVBoxLayout(-theme.Padding()*2), d.relayNow, d.totals),
		d.caps.box))
	d.stats.Hide()

	d.problem = problemLabel()

	bold := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	fact := func(value fyne.CanvasObject, help *quietText) fyne.CanvasObject {
		return container.New(layout.NewCustomPaddedVBoxLayout(-theme.Padding()*2), value, help)
	}
	d.body = container.NewVBox(
		bold("Your connection"),
		bold("Router (NAT)"), fact(d.nat, d.natHelp),
		bold("Your address on the internet"), fact(d.external, d.externalHelp),
		bold("Ports your router forwards"), fact(d.mapped, d.mappedHelp),
		widget.NewSeparator(),
		bold("Relays"),
		wrapped("Use a relay when no direct connection works:"),
		hintText(policyHelp),
		d.policy,
		d.serve, hintText(serveHelp), d.stats,
		d.problem)
	closeBtn := widget.NewButton("Close", nil)
	d.sheet = newSheet(m.w, "Network", networkWidth, d.body, nil, closeBtn)
	d.scroll = d.sheet.scroll
	d.dlg = d.sheet.dlg
	closeBtn.OnTapped = d.dlg.Hide
	d.dlg.SetOnClosed(func() {
		d.stop()
		if m.netDialog == d {
			m.netDialog = nil
		}
	})
	d.sheet.show()
	return d
}

// show puts a status in the dialog; the controls follow the node unless a
// change is in flight.
func (d *networkDialog) show(st node.Status) {
	d.nat.SetText(natWords(st.NAT))
	help := natHelp(st.NAT)
	if st.NAT != nil && st.NAT.Error != "" {
		help = sentence("detection failed: " + st.NAT.Error)
	}
	d.natHelp.SetText(help)
	if help == "" {
		d.natHelp.Hide()
	} else {
		d.natHelp.Show()
	}
	d.external.SetText(externalAddr(st))
	d.externalHelp.SetText(externalHelp(st))
	d.mapped.SetText(mappedPorts(st.NAT))
	d.mappedHelp.SetText(mappedHelp(st.NAT))
	if r := st.Relay; r != nil {
		d.relayNow.SetText(relayNow(r))
		d.totals.SetText(relayTotals(r))
		if d.busy == 0 {
			d.policyNow, d.serveNow = r.Use, r.Serve
			d.applying = true
			d.policy.SetSelected(policyLabel(r.Use))
			d.serve.SetChecked(r.Serve)
			d.applying = false
			d.caps.show(r)
			d.policy.Enable()
			d.serve.Enable()
			d.caps.setEnabled(true)
		}
		if r.Serve {
			d.stats.Show()
		} else {
			d.stats.Hide()
		}
	}
	d.resize()
}

// fail shows err inside the dialog.
func (d *networkDialog) fail(err error) {
	d.problem.SetText(sentence(err.Error()))
	d.problem.Show()
	d.reveal = true
	d.resize()
}

// resize fits the dialog to what it shows, but no taller than the window:
// beyond that its body scrolls.
func (d *networkDialog) resize() {
	d.sheet.fit()
	if d.reveal {
		d.reveal = false
		d.scroll.ScrollToBottom()
	}
}

// setRelayPolicy asks the node to use the relay policy the user chose.
func (m *Main) setRelayPolicy(d *networkDialog, label string) {
	policy := policyOf(label)
	if d.applying || policy == "" || policy == d.policyNow {
		return
	}
	prev := d.policyNow
	d.policy.Disable()
	m.changeNetwork(d, func(ctx context.Context) error {
		if err := m.b.SetRelayPolicy(ctx, policy); err != nil {
			return fmt.Errorf("could not change when to use a relay: %w", err)
		}
		return nil
	}, func(err error) {
		d.policy.Enable()
		d.settle(err)
		if err == nil {
			d.policyNow = policy
			return
		}
		d.applying = true
		d.policy.SetSelected(policyLabel(prev))
		d.applying = false
	})
}

// setServeRelay asks the node to start or stop relaying for others.
func (m *Main) setServeRelay(d *networkDialog, on bool) {
	if d.applying || on == d.serveNow {
		return
	}
	d.serve.Disable()
	m.changeNetwork(d, func(ctx context.Context) error {
		if err := m.b.SetServeRelay(ctx, on); err != nil {
			if on {
				return fmt.Errorf("could not start relaying for others: %w", err)
			}
			return fmt.Errorf("could not stop relaying for others: %w", err)
		}
		return nil
	}, func(err error) {
		d.serve.Enable()
		d.settle(err)
		if err == nil {
			d.serveNow = on
			return
		}
		d.applying = true
		d.serve.SetChecked(!on)
		d.applying = false
	})
}

// settle shows err, or clears the problem shown if a change worked.
func (d *networkDialog) settle(err error) {
	if err != nil {
		d.fail(err)
	} else {
		d.problem.Hide()
	}
}

// changeNetwork runs change off the UI goroutine, then done on it with
// change's error, then shows the status as it now is.
func (m *Main) changeNetwork(d *networkDialog, change func(context.Context) error, done func(err error)) {
	d.busy++
	m.work.background(func(ctx context.Context) func() {
		err := change(ctx)
		st, serr := m.b.Status(ctx)
		return func() {
			d.busy--
			done(err)
			if serr == nil {
				d.show(st)
			} else {
				d.resize()
			}
		}
	})
}
