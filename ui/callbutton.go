package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/core/node"
)

// callHeader is the conversation header's Call button. While a call with
// the open contact is on, the header shows the call ("In call · 1:05")
// in the button's place; while a call with someone else is on, or the
// contact was revoked, the button is disabled.
type callHeader struct {
	btn     *widget.Button
	now     fyne.CanvasObject // icon and words, in the button's place
	icon    *widget.Icon
	words   *widget.Label
	call    node.CallView
	elapsed time.Duration
	asking  bool // a Call request is in flight
}

// addCall puts the Call button in the header, before Remove; onCall calls
// the open contact.
func (v *chatView) addCall(onCall func()) {
	h := &callHeader{}
	h.btn = widget.NewButtonWithIcon("Call", phoneIcon, onCall)
	h.icon = widget.NewIcon(theme.NewSuccessThemedResource(phoneIcon))
	h.words = widget.NewLabel("")
	// The panel's theme, for a green that is readable on the background.
	h.now = container.NewThemeOverride(container.NewHBox(h.icon, h.words), callTheme{})
	h.now.Hide()
	v.callHdr = h
	v.actions.Objects = []fyne.CanvasObject{v.relay, h.btn, h.now, v.remove}
	v.showCall()
}

// setCall shows the call v, active for elapsed, in the header.
func (v *chatView) setCall(c node.CallView, elapsed time.Duration) {
	if v.callHdr == nil {
		return
	}
	v.callHdr.call, v.callHdr.elapsed = c, elapsed
	v.showCall()
	v.header.Refresh()
}

// setCalling marks a Call request as in flight (the button waits) or done.
func (v *chatView) setCalling(on bool) {
	if v.callHdr == nil {
		return
	}
	v.callHdr.asking = on
	v.showCall()
}

// showCall shows the Call button or the call, for the open contact.
func (v *chatView) showCall() {
	h := v.callHdr
	if h == nil {
		return
	}
	on := callOn(h.call)
	if on && h.call.Contact == v.contact.Name {
		h.words.SetText(callBadgeWords(h.call, h.elapsed))
		h.btn.Hide()
		h.now.Show()
		return
	}
	h.now.Hide()
	h.btn.Show()
	if v.contact.Revoked || on || h.asking || v.contact.Name == "" {
		h.btn.Disable()
	} else {
		h.btn.Enable()
	}
}
