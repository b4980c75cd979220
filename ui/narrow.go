package ui

import (
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// addBackButton puts a Back button at the left of the conversation's
// header. It shows only in a narrow window, where the conversation covers
// the contact list, and goes back to the list.
func (m *Main) addBackButton() {
	b := widget.NewButtonWithIcon("", theme.NavigateBackIcon(), m.backToList)
	b.Importance = widget.LowImportance
	m.backBtn = b
	m.backBox = container.NewCenter(b)
	m.backBox.Hide()
	m.chat.lead.Add(m.backBox)
}

// setNarrow shows the Back button while the window shows one pane at a time.
func (m *Main) setNarrow(narrow bool) {
	if narrow == m.backBox.Visible() {
		return
	}
	if narrow {
		m.backBox.Show()
	} else {
		m.backBox.Hide()
	}
	m.chat.header.Refresh()
}

// backToList closes the conversation, which in a narrow window shows the
// contact list again.
func (m *Main) backToList() {
	m.w.Canvas().Unfocus()
	m.selectContact("")
}

// chatShown reports whether a narrow window shows the conversation side:
// a conversation is open, or there is nobody to list (the side then says
// how to add a contact).
func (m *Main) chatShown() bool {
	return m.selected != "" || (m.loaded && len(m.contacts.items) == 0)
}
