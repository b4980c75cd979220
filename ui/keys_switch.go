package ui

import (
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// switcherRows is how many matching contacts the quick switcher lists.
const switcherRows = 8

// switcher is the quick switcher (Ctrl+K): type part of a name, Enter opens
// the first match's conversation.
type switcher struct {
	filter *keyEntry
	list   *fyne.Container
	none   *widget.Label
	sheet  *sheet
	names  []string // the matches listed, best first
}

// matchNames returns the names containing q (any case), those starting
// with it first, then alphabetically; all of them for an empty q.
func matchNames(names []string, q string) []string {
	q = strings.ToLower(strings.TrimSpace(q))
	type hit struct {
		name   string
		prefix bool
	}
	var hits []hit
	for _, n := range names {
		l := strings.ToLower(n)
		if strings.Contains(l, q) {
			hits = append(hits, hit{n, strings.HasPrefix(l, q)})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].prefix != hits[j].prefix {
			return hits[i].prefix
		}
		return strings.ToLower(hits[i].name) < strings.ToLower(hits[j].name)
	})
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.name
	}
	return out
}

// showSwitcher opens the quick switcher over the contacts the list shows.
func (m *Main) showSwitcher() {
	if m.switcher != nil {
		m.w.Canvas().Focus(m.switcher.filter)
		return
	}
	var names []string
	for _, c := range m.contacts.items {
		names = append(names, c.Name)
	}
	s := &switcher{filter: newKeyEntry(), list: container.NewVBox(), none: widget.NewLabel("No contact by that name.")}
	s.filter.SetPlaceHolder("Type a contact's name")
	s.none.Hide()
	open := func(name string) {
		s.sheet.hide()
		m.selectContact(name)
	}
	s.filter.OnChanged = func(q string) { s.show(matchNames(names, q), open) }
	s.filter.OnSubmitted = func(string) {
		if len(s.names) > 0 {
			open(s.names[0])
		}
	}
	s.show(matchNames(names, ""), open)
	body := container.NewVBox(s.filter, s.list, s.none)
	cancel := widget.NewButton("Cancel", nil)
	s.sheet = newSheet(m.w, "Go to a conversation", 420, body, nil, cancel)
	cancel.OnTapped = s.sheet.hide
	s.sheet.dlg.SetOnClosed(func() {
		if m.switcher == s {
			m.switcher = nil
		}
	})
	m.switcher = s
	s.sheet.show()
	m.w.Canvas().Focus(s.filter)
}

// show lists the first matches as buttons.
func (s *switcher) show(names []string, open func(string)) {
	s.names = names
	s.list.RemoveAll()
	for i, n := range names {
		if i == switcherRows {
			break
		}
		b := widget.NewButton(n, func() { open(n) })
		b.Alignment = widget.ButtonAlignLeading
		if i == 0 {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.LowImportance
		}
		s.list.Add(b)
	}
	if len(names) == 0 {
		s.none.Show()
	} else {
		s.none.Hide()
	}
	s.list.Refresh()
}
