package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/core/node"
)

// ContactEditor is the part of the node the contact details change an
// address through and learn when a contact was revoked; *node.Node
// satisfies it. A Backend without it shows the details read-only.
type ContactEditor interface {
	SetContactAddress(ctx context.Context, name, addr string) error
	RevokedAt(ctx context.Context, name string) (time.Time, bool, error)
}

// contactRenamer renames a contact (old name, new name); the details offer
// renaming when the backend has it.
type contactRenamer interface {
	RenameContact(ctx context.Context, name, newName string) error
}

var _ ContactEditor = (*node.Node)(nil)

// detailsDialog shows one contact: name, fingerprint, address, how it is
// reached, mute, and Remove.
type detailsDialog struct {
	contact    string
	name, addr *keyEntry
	rename     *widget.Button
	saveAddr   *widget.Button
	mute       *widget.Check
	problem    *widget.Label
	saved      *quietText
	sheet      *sheet
}

// addDetailsButton puts a Details button in the chat's header; Remove moves
// into the details.
func (m *Main) addDetailsButton() {
	b := widget.NewButtonWithIcon("", theme.InfoIcon(), func() { m.showDetails(m.selected) })
	b.Importance = widget.LowImportance
	m.chat.actions.Add(b)
	m.chat.remove.Hide()
	m.detailsBtn = b
}

// fingerprintWords is the fingerprint in groups of four, four groups a
// line, for reading aloud.
func fingerprintWords(fp string) string {
	var b strings.Builder
	for i := 0; i < len(fp); i += 4 {
		switch {
		case i == 0:
		case i%16 == 0:
			b.WriteByte('\n')
		default:
			b.WriteString("  ")
		}
		b.WriteString(fp[i:min(i+4, len(fp))])
	}
	return b.String()
}

// showDetails opens the details of the contact called name.
func (m *Main) showDetails(name string) {
	c, ok := m.contacts.find(name)
	if !ok {
		return
	}
	if m.details != nil {
		m.details.sheet.hide()
	}
	d := &detailsDialog{contact: c.Name, problem: problemLabel()}
	ed, canEdit := m.b.(ContactEditor)
	ren, canRename := m.b.(contactRenamer)

	d.name = newKeyEntry()
	d.name.SetText(c.Name)
	d.rename = widget.NewButton("Rename", func() { m.renameContact(d, ren) })
	nameRow := container.NewBorder(nil, nil, nil, d.rename, d.name)
	if !canRename {
		d.name.Disable()
		d.rename.Hide()
	}
	d.name.OnSubmitted = func(string) {
		if canRename {
			m.renameContact(d, ren)
		}
	}

	fp := widget.NewLabel(fingerprintWords(c.Fingerprint))
	fp.TextStyle = fyne.TextStyle{Monospace: true}
	fp.Selectable = true

	d.addr = newKeyEntry()
	d.addr.SetText(c.Addr)
	d.addr.SetPlaceHolder("host:port, e.g. 203.0.113.7:7777")
	d.saveAddr = widget.NewButton("Save", func() { m.saveAddress(d, ed) })
	addrRow := container.NewBorder(nil, nil, nil, d.saveAddr, d.addr)
	d.addr.OnSubmitted = func(string) {
		if canEdit {
			m.saveAddress(d, ed)
		}
	}
	if !canEdit {
		d.addr.Disable()
		d.saveAddr.Hide()
	}
	d.saved = newQuietText("", theme.SizeNameCaptionText, fyne.TextAlignLeading)
	d.saved.Hide()

	bold := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	body := container.NewVBox(
		bold("Name"), nameRow,
		bold("Fingerprint"),
		hintText("Read it aloud with "+c.Name+", or compare it in person: if every group matches, this card is really theirs."),
		fp,
		bold("Address"), addrRow,
		hintText("Where to reach them. Leave it empty and tincan finds them through the network."),
		d.saved,
		bold("Reached now"), hintText(reachedWords(c)),
	)
	if c.Revoked {
		body.Add(hintText(revokedWords(c.Name, time.Time{}, false)))
	}
	if ns, ok := m.b.(NotifySettings); ok {
		d.mute = widget.NewCheck("Mute notifications from "+c.Name, func(on bool) { m.setMuted(d, ns, on) })
		d.mute.Checked = m.notes.muted[c.Name]
		body.Add(d.mute)
	}
	body.Add(d.problem)

	remove := widget.NewButtonWithIcon("Remove…", theme.DeleteIcon(), func() {
		d.sheet.hide()
		m.confirmRemoveName(c.Name)
	})
	remove.Importance = widget.DangerImportance
	closeBtn := widget.NewButton("Close", nil)
	d.sheet = newSheet(m.w, c.Name, 520, body, []fyne.CanvasObject{remove}, closeBtn)
	closeBtn.OnTapped = d.sheet.hide
	d.sheet.dlg.SetOnClosed(func() {
		if m.details == d {
			m.details = nil
		}
	})
	m.details = d
	d.sheet.show()
}

// reachedWords says how the contact is reached now, and how it was found.
func reachedWords(c node.ContactView) string {
	s := sentence(reach(c))
	if c.Via != "" && c.LastReached != nil {
		s += fmt.Sprintf(" Last found through the network (%s) at %s.", c.Via, c.LastReached.Local().Format("15:04, Jan 2"))
	}
	return s
}

// fail shows err in the details.
func (d *detailsDialog) fail(err error) {
	d.problem.SetText(sentence(err.Error()))
	d.problem.Show()
	d.sheet.fit()
	d.sheet.reveal(d.problem)
}

// saveAddress asks the node to use the address typed.
func (m *Main) saveAddress(d *detailsDialog, ed ContactEditor) {
	addr := strings.TrimSpace(d.addr.Text)
	if addr != "" {
		if err := checkAddr(addr); err != nil {
			d.fail(err)
			return
		}
	}
	d.problem.Hide()
	d.saveAddr.Disable()
	name := d.contact
	m.work.background(func(ctx context.Context) func() {
		err := ed.SetContactAddress(ctx, name, addr)
		return func() {
			d.saveAddr.Enable()
			if err != nil {
				d.fail(fmt.Errorf("could not change the address: %w", err))
				return
			}
			if addr == "" {
				d.saved.SetText("Saved: tincan finds them through the network.")
			} else {
				d.saved.SetText("Saved: tincan tries " + addr + " next.")
			}
			d.saved.Show()
			d.sheet.fit()
			m.reloadContacts()
		}
	})
}

// renameContact asks the node to rename the contact.
func (m *Main) renameContact(d *detailsDialog, ren contactRenamer) {
	newName := strings.TrimSpace(d.name.Text)
	if newName == d.contact {
		return
	}
	if err := checkName(newName); err != nil {
		d.fail(err)
		return
	}
	d.problem.Hide()
	d.rename.Disable()
	old := d.contact
	m.work.background(func(ctx context.Context) func() {
		err := ren.RenameContact(ctx, old, newName)
		return func() {
			d.rename.Enable()
			if err != nil {
				d.fail(fmt.Errorf("could not rename %s: %w", old, err))
				return
			}
			d.contact = newName
			if m.selected == old {
				m.selected = ""
				m.pending = newName
			}
			m.reloadContacts()
		}
	})
}
