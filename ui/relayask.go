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

// relayQuestion is what the consent dialog asks about the contact called name.
func relayQuestion(name string) string {
	return fmt.Sprintf("A direct connection to %s failed. Connect through a relay? "+
		"Messages stay end-to-end encrypted; the relay can see that you two are talking.", name)
}

// relayAskDialog asks whether a contact that cannot be reached directly may
// be reached through a relay. "Use a relay" and "Don't relay" answer the
// node (which remembers the answer); "Ask me later" only closes it, and the
// chat header keeps a button to answer.
type relayAskDialog struct {
	name               string
	problem            *widget.Label
	busy               *widget.ProgressBarInfinite
	allow, deny, later *widget.Button
	content            *fyne.Container
	dlg                *dialog.CustomDialog
}

// onRelayAsk shows the node's question about c: no direct path worked.
func (m *Main) onRelayAsk(c node.ContactView) {
	if shown, ok := m.contacts.presence(c); ok && c.Name == m.selected {
		m.chat.show(shown)
	}
	m.askRelay(c.Name)
}

// askRelay opens the consent dialog for name, unless one is open already.
func (m *Main) askRelay(name string) {
	if name == "" {
		return
	}
	if m.relayAsks[name] != nil {
		return
	}
	d := &relayAskDialog{name: name}
	question := widget.NewLabel(relayQuestion(name))
	question.Wrapping = fyne.TextWrapWord
	d.problem = widget.NewLabel("")
	d.problem.Importance = widget.DangerImportance
	d.problem.Wrapping = fyne.TextWrapWord
	d.problem.Hide()
	d.busy = widget.NewProgressBarInfinite()
	d.busy.Hide()

	d.allow = widget.NewButtonWithIcon("Use a relay", theme.ConfirmIcon(), func() { m.answerRelay(d, true) })
	d.allow.Importance = widget.HighImportance
	d.deny = widget.NewButtonWithIcon("Don't relay", theme.CancelIcon(), func() { m.answerRelay(d, false) })
	d.later = widget.NewButton("Ask me later", func() { d.dlg.Hide() })
	d.later.Importance = widget.LowImportance
	buttons := container.NewHBox(d.later, layout.NewSpacer(), d.deny, d.allow)
	d.content = container.NewVBox(question, d.problem, d.busy, buttons)
	d.dlg = dialog.NewCustomWithoutButtons("No direct connection to "+name, d.content, m.w)
	d.dlg.SetOnClosed(func() {
		if m.relayAsks[name] == d {
			delete(m.relayAsks, name)
		}
	})
	d.dlg.Resize(fyne.NewSize(500, 0).Max(d.dlg.MinSize()))
	m.relayAsks[name] = d
	d.dlg.Show()
}

// answerRelay gives the node the user's answer, off the UI goroutine; the
// dialog closes once the node has it and shows the error otherwise.
func (m *Main) answerRelay(d *relayAskDialog, allow bool) {
	if d.allow.Disabled() {
		return
	}
	d.allow.Disable()
	d.deny.Disable()
	d.problem.Hide()
	d.busy.Show()
	d.content.Refresh()
	name := d.name
	m.work.background(func(ctx context.Context) func() {
		err := m.b.AnswerRelay(ctx, name, allow)
		return func() {
			if err != nil {
				d.busy.Hide()
				d.allow.Enable()
				d.deny.Enable()
				d.problem.SetText(sentence(fmt.Sprintf("could not save your answer: %v", err)))
				d.problem.Show()
				d.dlg.Resize(d.dlg.MinSize().Max(fyne.NewSize(500, 0)))
				return
			}
			d.dlg.Hide()
			m.reloadContacts()
		}
	})
}
