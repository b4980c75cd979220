package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
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
	sheet          *sheet
	dlg            *dialog.CustomDialog
}

// showRotate loads the contacts, then opens the rotate dialog.
func (m *Main) showRotate() {
	m.work.background(func(ctx context.Context) func() {
		cs, err := m.b.Contacts(ctx)
		return func() {
			if err != nil {
				showPlainError(m.w, "Could not load your contacts", err)
				return
			}
			m.rotateDialog = m.openRotate(cs)
		}
	})
}

func (m *Main) openRotate(cs []node.ContactView) *rotateDialog {
	d := &rotateDialog{}
	intro := wrapped("You get a new card. It goes, over your encrypted sessions, to the contacts " +
		"ticked below (those offline get it when they next connect). The others can no longer " +
		"reach you; your history with them stays.")

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
	}
	d.newKey = widget.NewCheck("Make a new key as well (takes a few seconds)", nil)
	d.problem = problemLabel()
	d.busy = widget.NewProgressBarInfinite()
	d.busy.Hide()

	d.rotate = widget.NewButtonWithIcon("Rotate", theme.ViewRefreshIcon(), func() { m.confirmRotate(d) })
	d.rotate.Importance = widget.HighImportance
	d.cancel = widget.NewButton("Cancel", nil)
	body := container.NewVBox(intro, widget.NewLabelWithStyle("Keep", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		people, widget.NewSeparator(), d.newKey, d.problem, d.busy)
	d.sheet = newSheet(m.w, "Rotate my card", 520, body, nil, d.cancel, d.rotate)
	d.cancel.OnTapped = d.sheet.hide
	d.dlg = d.sheet.dlg
	d.dlg.SetOnClosed(func() {
		if m.rotateDialog == d {
			m.rotateDialog = nil
		}
	})
	d.sheet.show()
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
	d.sheet.fit()
	d.sheet.reveal(d.problem)
}

// cutOff lists the contacts left unticked: the rotation revokes them.
func (d *rotateDialog) cutOff() []string {
	var out []string
	for i, c := range d.checks {
		if !c.Checked {
			out = append(out, d.names[i])
		}
	}
	return out
}

// confirmRotate rotates at once when everyone is kept; otherwise it first
// asks, naming who will be cut off.
func (m *Main) confirmRotate(d *rotateDialog) {
	if d.rotate.Disabled() {
		return
	}
	cut := d.cutOff()
	if len(cut) == 0 {
		m.submitRotate(d)
		return
	}
	msg := cutOffWords(cut)
	ask := dialog.NewConfirm("Revoke "+plainList(cut)+"?", msg, func(ok bool) {
		if ok {
			m.submitRotate(d)
		}
	}, m.w)
	ask.SetConfirmText("Rotate and revoke")
	ask.SetDismissText("Cancel")
	ask.SetConfirmImportance(widget.DangerImportance)
	ask.Show()
}

// cutOffWords tells the user what revoking names means.
func cutOffWords(names []string) string {
	who := plainList(names)
	they := "They"
	if len(names) == 1 {
		they = names[0]
	}
	return who + " will not get your new card. " + they +
		" can no longer reach you, and to talk again you would trade cards anew.\n" +
		"Your history with them is kept."
}

// plainList joins names as in a sentence: "Ana", "Ana and Ben", "Ana, Ben and Carl".
func plainList(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
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
	d.sheet.fit()
	m.work.background(func(ctx context.Context) func() {
		res, err := m.b.Rotate(ctx, keep, newKey)
		return func() {
			if err != nil {
				d.fail(err)
				return
			}
			d.sheet.hide()
			m.reloadContacts()
			m.showRotated(res)
		}
	})
}

// rotatedWords says what a rotation did.
func rotatedWords(r node.RotateResult) []string {
	out := []string{"You have a new card."}
	switch len(r.Kept) {
	case 0:
		out = append(out, "No contact gets it: give it to the people you want to reach you.")
	default:
		out = append(out, "It goes to "+plainList(r.Kept)+
			" over your encrypted sessions (those offline get it when they next connect).")
	}
	if len(r.Revoked) > 0 {
		out = append(out, "Revoked: "+plainList(r.Revoked)+". They can no longer reach you; your history with them is kept.")
	}
	return out
}

// showRotated says what the rotation did, and offers the new card.
func (m *Main) showRotated(r node.RotateResult) {
	body := container.NewVBox()
	for _, s := range rotatedWords(r) {
		body.Add(wrapped(s))
	}
	card := widget.NewButtonWithIcon("Show my new card", theme.AccountIcon(), nil)
	card.Importance = widget.HighImportance
	closeBtn := widget.NewButton("Close", nil)
	s := newSheet(m.w, "Your card is rotated", 480, body, nil, closeBtn, card)
	closeBtn.OnTapped = s.hide
	card.OnTapped = func() {
		s.hide()
		m.showMyCard()
	}
	m.rotated = s
	s.dlg.SetOnClosed(func() {
		if m.rotated == s {
			m.rotated = nil
		}
	})
	s.show()
}
