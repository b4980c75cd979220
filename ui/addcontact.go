package ui

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/core/node"
)

// maxNameBytes bounds a display or contact name (bytes of UTF-8), as the
// node does.
const maxNameBytes = 64

// addContactDialog asks for a contact's card and, optionally, a name (the
// card's own name otherwise) and an address.
// Errors, its own or the node's, show inside it; it closes only on success.
type addContactDialog struct {
	name, addr  *keyEntry
	card        *keyCardEntry
	problem     *widget.Label
	busy        *widget.ProgressBarInfinite
	add, cancel *widget.Button
	sheet       *sheet
	dlg         *dialog.CustomDialog
}

func (m *Main) showAddContact() {
	if m.addDialog != nil {
		m.w.Canvas().Focus(m.addDialog.card)
		return
	}
	d := &addContactDialog{}
	d.name = newKeyEntry()
	d.name.SetPlaceHolder("Leave empty to use the name on their card")
	d.card = newKeyCardEntry(func() { m.submitAdd(d) })
	d.card.SetPlaceHolder("Paste their card: tincan:1:…")
	d.card.SetMinRowsVisible(4)
	d.addr = newKeyEntry()
	d.addr.SetPlaceHolder("host:port, e.g. 203.0.113.7:7777")
	d.problem = problemLabel()
	d.busy = widget.NewProgressBarInfinite()
	d.busy.Hide()

	form := widget.NewForm(
		&widget.FormItem{Text: "Card", Widget: d.card, HintText: "The one-line card they gave you"},
		widget.NewFormItem("Name", d.name),
		&widget.FormItem{Text: "Address", Widget: d.addr, HintText: "Optional: where to reach them"},
	)
	d.add = widget.NewButtonWithIcon("Add contact", theme.ContentAddIcon(), func() { m.submitAdd(d) })
	d.add.Importance = widget.HighImportance
	d.cancel = widget.NewButton("Cancel", nil)
	d.name.OnSubmitted = func(string) { m.submitAdd(d) }
	d.addr.OnSubmitted = func(string) { m.submitAdd(d) }
	d.sheet = newSheet(m.w, "Add a contact", 540, container.NewVBox(form, d.problem, d.busy), nil, d.cancel, d.add)
	d.cancel.OnTapped = d.sheet.hide
	d.dlg = d.sheet.dlg
	d.dlg.SetOnClosed(func() {
		if m.addDialog == d {
			m.addDialog = nil
		}
	})
	m.addDialog = d
	d.sheet.show()
	m.w.Canvas().Focus(d.card)
}

func (d *addContactDialog) fail(err error) {
	d.busy.Hide()
	d.add.Enable()
	d.problem.SetText(sentence(err.Error()))
	d.problem.Show()
	d.sheet.fit()
	d.sheet.reveal(d.problem)
}

// submitAdd checks the form and asks the node to add the contact.
func (m *Main) submitAdd(d *addContactDialog) {
	if d.add.Disabled() {
		return
	}
	name := strings.TrimSpace(d.name.Text)
	card := cleanCard(d.card.Text)
	addr := strings.TrimSpace(d.addr.Text)
	if err := checkContactForm(name, card, addr); err != nil {
		d.fail(err)
		return
	}
	d.problem.Hide()
	d.busy.Show()
	d.add.Disable()
	d.sheet.fit()
	m.work.background(func(ctx context.Context) func() {
		c, err := m.b.AddContact(ctx, name, card, addr)
		return func() {
			if err != nil {
				d.fail(err)
				return
			}
			d.dlg.Hide()
			m.added(c)
		}
	})
}

// added shows a contact the node has just added, and opens its chat.
func (m *Main) added(c node.ContactView) {
	if _, ok := m.contacts.find(c.Name); !ok {
		m.contacts.set(append(append([]node.ContactView(nil), m.contacts.items...), c))
		m.updateHint()
		m.updateTray()
	}
	m.selectContact(c.Name)
	m.reloadContacts()
}

// checkContactForm catches what the node would reject anyway, with a message
// that says what to fix.
func checkContactForm(name, card, addr string) error {
	if name != "" {
		if err := checkName(name); err != nil {
			return err
		}
	}
	if card == "" {
		return errors.New("paste the card your contact gave you (it starts with \"tincan:\")")
	}
	if !strings.HasPrefix(card, "tincan:") {
		return errors.New("this is not a tincan card: a card starts with \"tincan:\"")
	}
	if addr == "" {
		return nil
	}
	return checkAddr(addr)
}

// checkAddr says what is wrong with an address typed as host:port.
func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return errors.New("the address must look like host:port, e.g. 203.0.113.7:7777")
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return errors.New("the port must be a number from 1 to 65535")
	}
	return nil
}

// checkName says what is wrong with a display or contact name.
func checkName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return errors.New("enter a name")
	case len(name) > maxNameBytes:
		return errors.New("the name is too long (at most 64 bytes)")
	case !utf8.ValidString(name):
		return errors.New("the name is not valid text")
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return errors.New("the name cannot contain control characters")
		}
	}
	return nil
}

// sentence capitalises an error message for display.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, ")") {
		s += "."
	}
	return s
}
