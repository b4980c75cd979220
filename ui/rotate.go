package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/core/node"
)

// rotateDialog asks which contacts get the user's new card (all ticked at
// first) and whether to make a new key as well. The contacts left unticked
// can no longer reach the user. Errors show inside it; on success it closes
// and the my-card dialog opens with the new card.
type rotateDialog struct {
	names          []string
	checks         []*widget.Check
	newKey         *widget.Check
	problem        *widget.Label
	busy           *widget.ProgressBarInfinite
	rotate, cancel *widget.Button
	content        *fyne.Container
	dlg            *dialog.CustomDialog
}

// showRotate loads the contacts, then opens the rotate dialog.
func (m *Main) showRotate() {
	m.work.background(func(ctx context.Context) func() {
		cs, err := m.b.Contacts(ctx)
		return func() {
			if err != nil {
				dialog.ShowError(fmt.Errorf("could not load your contacts: %w", err), m.w)
				return
			}
			m.rotateDialog = m.openRotate(cs)
		}
	})
}

func (m *Main) openRotate(cs []node.ContactView) *rotateDialog {
	d := &rotateDialog{}
	intro := widget.NewLabel("You get a new card. It goes, over your encrypted sessions, to the contacts " +
		"ticked below (those offline get it when they next connect). The others can no longer " +
		"reach you; your history with them stays.")
	intro.Wrapping = fyne.TextWrapWord

	list := container.NewVBox()
	for _, c := range cs {
		if c.Revoked {
			continue
		}
		check := widget.NewCheck(c.Name, nil)
		check.SetChecked(true)
		d.names = append(d.names, c.Name)
		d.checks = append(d.checks, check)
		list.Add(check)
	}
	var people fyne.CanvasObject = list
	if len(d.checks) == 0 {
		people = widget.NewLabel("You have no contacts to keep.")
	} else if len(d.checks) > 6 {
		scroll := container.NewVScroll(list)
		scroll.SetMinSize(fyne.NewSize(0, 220))
		people = scroll
	}
	d.newKey = widget.NewCheck("Make a new key as well (takes a few seconds)", nil)
	d.problem = widget.NewLabel("")
	d.problem.Importance = widget.DangerImportance
	d.problem.Wrapping = fyne.TextWrapWord
	d.problem.Hide()
	d.busy = widget.NewProgressBarInfinite()
	d.busy.Hide()

	d.rotate = widget.NewButtonWithIcon("Rotate", theme.ViewRefreshIcon(), func() { m.submitRotate(d) })
	d.rotate.Importance = widget.HighImportance
	d.cancel = widget.NewButton("Cancel", func() { d.dlg.Hide() })
	buttons := container.NewHBox(layout.NewSpacer(), d.cancel, d.rotate)
	d.content = container.NewVBox(intro, widget.NewLabelWithStyle("Keep", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		people, widget.NewSeparator(), d.newKey, d.problem, d.busy, buttons)
	d.dlg = dialog.NewCustomWithoutButtons("Rotate my card", d.content, m.w)
	d.dlg.SetOnClosed(func() {
		if m.rotateDialog == d {
			m.rotateDialog = nil
		}
	})
	d.dlg.Resize(fyne.NewSize(520, 0).Max(d.dlg.MinSize()))
	d.dlg.Show()
	return d
}

// keep lists the ticked contacts.
func (d *rotateDialog) keep() []string {
	var out []string
	for i, c := range d.checks {
		if c.Checked {
			out = append(out, d.names[i])
		}
	}
	return out
}

func (d *rotateDialog) fail(err error) {
	d.busy.Hide()
	d.rotate.Enable()
	d.cancel.Enable()
	d.problem.SetText(sentence(err.Error()))
	d.problem.Show()
	d.dlg.Resize(d.dlg.MinSize().Max(fyne.NewSize(520, 0)))
}

// submitRotate asks the node to rotate, keeping the ticked contacts.
func (m *Main) submitRotate(d *rotateDialog) {
	if d.rotate.Disabled() {
		return
	}
	keep, newKey := d.keep(), d.newKey.Checked
	d.problem.Hide()
	d.busy.Show()
	d.rotate.Disable()
	d.cancel.Disable()
	d.content.Refresh()
	m.work.background(func(ctx context.Context) func() {
		_, err := m.b.Rotate(ctx, keep, newKey)
		return func() {
			if err != nil {
				d.fail(err)
				return
			}
			d.dlg.Hide()
			m.reloadContacts()
			m.showMyCard()
		}
	})
}
