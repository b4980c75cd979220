package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/core/node"
)

// Modes of the call panel.
const (
	panelHidden = ""
	panelPrompt = "prompt" // a call rings here: Accept or Decline
	panelLive   = "live"   // calling, connecting or talking
	panelEnded  = "ended"  // how the call ended, for a few seconds
)

// callActions are what the call panel's buttons and pickers do.
type callActions struct {
	accept, decline, hangup, mute func()
	devices                       func(capture, playback string)
}

// callPanel is the bar under the toolbar that shows the call in progress,
// whichever conversation is open: the contact, the state in words, the
// path, Mute and Hang up, the microphone level and the device pickers. For
// a call ringing here it asks Accept or Decline; after a call it says how it
// ended. It never blocks the window. Used on the UI goroutine only.
type callPanel struct {
	mode string

	icon    *widget.Icon
	title   *widget.Label
	state   *quietText
	problem *widget.Label

	accept, decline *widget.Button
	mute, hangup    *widget.Button
	more            *widget.Button // shows or hides the pickers in a short window
	buttons         *fyne.Container

	devices  *callDevices
	row      *fyne.Container // the pickers and the level meter
	compact  bool            // the window is short: the pickers hide behind more
	rowAsked bool            // the user opened the pickers with more

	root   *fyne.Container
	holder *fyne.Container // what lays the panel out, to refresh when it shows or hides
}

func newCallPanel(do callActions) *callPanel {
	p := &callPanel{}
	p.icon = widget.NewIcon(phoneIcon)
	p.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.title.Truncation = fyne.TextTruncateEllipsis
	p.state = newQuietText("", theme.SizeNameText, fyne.TextAlignLeading)
	p.problem = widget.NewLabel("")
	p.problem.Importance = widget.DangerImportance
	p.problem.Wrapping = fyne.TextWrapWord
	p.problem.Hide()

	p.accept = widget.NewButtonWithIcon("Accept", phoneIcon, do.accept)
	p.accept.Importance = widget.SuccessImportance
	p.decline = widget.NewButtonWithIcon("Decline", hangupIcon, do.decline)
	p.decline.Importance = widget.DangerImportance
	p.mute = widget.NewButtonWithIcon("Mute", micIcon, do.mute)
	p.hangup = widget.NewButtonWithIcon("Hang up", hangupIcon, do.hangup)
	p.hangup.Importance = widget.DangerImportance
	p.more = widget.NewButtonWithIcon("", theme.SettingsIcon(), p.toggleRow)
	p.more.Importance = widget.LowImportance
	p.more.Hide()
	p.buttons = container.NewHBox(p.mute, p.hangup, p.more, p.decline, p.accept)

	p.devices = newCallDevices(do.devices)
	p.row = p.devices.root

	texts := container.New(layout.NewCustomPaddedVBoxLayout(-theme.Padding()*2.5), p.title, p.state)
	line := container.NewBorder(nil, nil, container.NewCenter(p.icon), container.NewCenter(p.buttons), texts)
	body := container.NewVBox(line, p.row, p.problem)
	inner := container.NewStack(newPanelTint(), container.NewPadded(body))
	p.root = container.NewPadded(container.NewThemeOverride(inner, callTheme{}))
	p.root.Hide()
	return p
}

// showPrompt asks whether to take the call v that rings here.
func (p *callPanel) showPrompt(v node.CallView) {
	if p.mode != panelPrompt {
		p.problem.Hide()
	}
	p.setMode(panelPrompt)
	p.title.SetText(v.Contact + " is calling")
	p.state.SetText(callStateWords(v, 0))
	p.accept.Enable()
	p.decline.Enable()
	p.refresh()
}

// showLive shows the call v in progress, active for elapsed.
func (p *callPanel) showLive(v node.CallView, elapsed time.Duration) {
	if p.mode != panelLive {
		p.problem.Hide()
		p.hangup.Enable()
		p.mute.Enable()
		p.devices.setLevel(0)
	}
	p.setMode(panelLive)
	p.title.SetText(v.Contact)
	p.state.SetText(callStateWords(v, elapsed))
	if v.Muted {
		p.mute.SetText("Unmute")
		p.mute.SetIcon(micOffIcon)
	} else {
		p.mute.SetText("Mute")
		p.mute.SetIcon(micIcon)
	}
	p.devices.showLevel(v.State == callActive)
	p.refresh()
}

// showEnded says how the call v ended.
func (p *callPanel) showEnded(v node.CallView) {
	p.setMode(panelEnded)
	p.title.SetText(v.Contact)
	p.state.SetText(callEndWords(v))
	p.problem.Hide()
	p.refresh()
}

// hide puts the panel away.
func (p *callPanel) hide() {
	p.setMode(panelHidden)
	p.refresh()
}

// fail shows what went wrong with something the user asked of the call.
func (p *callPanel) fail(msg string) {
	p.problem.SetText(msg)
	p.problem.Show()
	p.refresh()
}

// setMode shows the parts mode needs.
func (p *callPanel) setMode(mode string) {
	p.mode = mode
	show := func(o fyne.CanvasObject, on bool) {
		if on {
			o.Show()
		} else {
			o.Hide()
		}
	}
	show(p.root, mode != panelHidden)
	show(p.accept, mode == panelPrompt)
	show(p.decline, mode == panelPrompt)
	show(p.mute, mode == panelLive)
	show(p.hangup, mode == panelLive)
	p.syncRow()
	if mode == panelEnded {
		p.icon.SetResource(hangupIcon)
	} else {
		p.icon.SetResource(phoneIcon)
	}
}

// setCompact hides the pickers behind the more button when the window is
// too short for them; it reports whether anything changed.
func (p *callPanel) setCompact(on bool) bool {
	if on == p.compact {
		return false
	}
	p.compact = on
	p.syncRow()
	return true
}

// toggleRow shows or hides the pickers in a short window.
func (p *callPanel) toggleRow() {
	p.rowAsked = !p.rowAsked
	p.syncRow()
	p.refresh()
}

// syncRow shows the pickers' line during a call unless the window is short
// and the user has not asked for them.
func (p *callPanel) syncRow() {
	live := p.mode == panelLive
	if live && (!p.compact || p.rowAsked) {
		p.row.Show()
	} else {
		p.row.Hide()
	}
	if live && p.compact {
		p.more.Show()
	} else {
		p.more.Hide()
	}
}

// refresh lays the panel, and what holds it, out again.
func (p *callPanel) refresh() {
	p.root.Refresh()
	if p.holder != nil {
		p.holder.Refresh()
	}
}
