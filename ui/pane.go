package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Pane sizes, in Fyne units.
const (
	listDefault = 300 // the contact list's width until the user drags the handle
	listMin     = 200 // the least the list narrows to beside the conversation
	chatMin     = 340 // the least the conversation narrows to beside the list
	narrowBelow = 560 // narrower windows show one pane at a time
	gripLength  = 36  // the handle's grip, along the divider
	gripWidth   = 6

	listWidthPref = "window.listWidth" // where the dragged width is kept
)

// panes is the main window's body: the contact list and the conversation
// side by side, with a handle between them that the user drags to share
// the width. The list keeps its width in pixels when the window is resized.
// In a window narrower than narrowBelow one pane shows at a time: the
// conversation while one is open (its header then has a Back button), the
// list otherwise.
type panes struct {
	list, chat fyne.CanvasObject
	handle     *paneHandle
	root       *fyne.Container
	prefs      fyne.Preferences // nil keeps the width for this run only

	listWidth float32     // what the user chose by dragging, or listDefault
	chatOpen  func() bool // whether a narrow window shows the conversation
	onNarrow  func(bool)  // told when the window becomes narrow or wide
	narrow    bool        // the last layout showed one pane
	laidOut   bool        // narrow has been decided once
}

// newPanes lays list and chat out side by side; chatOpen says which one a
// narrow window shows.
func newPanes(list, chat fyne.CanvasObject, prefs fyne.Preferences, chatOpen func() bool) *panes {
	p := &panes{list: list, chat: chat, prefs: prefs, chatOpen: chatOpen, listWidth: listDefault}
	if prefs != nil {
		if w := prefs.FloatWithFallback(listWidthPref, listDefault); w > 0 {
			p.listWidth = float32(w)
		}
	}
	p.handle = newPaneHandle(p)
	p.root = container.New(p, list, p.handle, chat)
	return p
}

// Layout puts the list, the handle and the conversation side by side, or
// one of the panes over the whole width in a narrow window.
func (p *panes) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	narrow := size.Width < narrowBelow
	if narrow != p.narrow || !p.laidOut {
		p.narrow, p.laidOut = narrow, true
		if p.onNarrow != nil {
			p.onNarrow(narrow)
		}
	}
	if narrow {
		p.handle.Hide()
		show, hide := p.list, p.chat
		if p.chatOpen != nil && p.chatOpen() {
			show, hide = p.chat, p.list
		}
		for _, o := range []fyne.CanvasObject{hide, show} {
			o.Move(fyne.NewPos(0, 0))
			o.Resize(size) // the hidden pane too, so it is ready to show
		}
		hide.Hide()
		show.Show()
		return
	}
	p.list.Show()
	p.chat.Show()
	p.handle.Show()
	lw := p.fit(p.listWidth, size.Width)
	hw := p.handle.MinSize().Width
	p.list.Move(fyne.NewPos(0, 0))
	p.list.Resize(fyne.NewSize(lw, size.Height))
	p.handle.Move(fyne.NewPos(lw, 0))
	p.handle.Resize(fyne.NewSize(hw, size.Height))
	p.chat.Move(fyne.NewPos(lw+hw, 0))
	p.chat.Resize(fyne.NewSize(max(0, size.Width-lw-hw), size.Height))
}

// fit is the list's width w kept within a window width wide: the
// conversation keeps its least width, then the list its own.
func (p *panes) fit(w, wide float32) float32 {
	chat := max(float32(chatMin), p.chat.MinSize().Width)
	w = min(w, wide-p.handle.MinSize().Width-chat)
	return max(w, float32(listMin), p.list.MinSize().Width)
}

// MinSize is what the wider pane needs: a narrow window shows one at a time.
func (p *panes) MinSize(_ []fyne.CanvasObject) fyne.Size {
	l, c := p.list.MinSize(), p.chat.MinSize()
	return fyne.NewSize(max(l.Width, c.Width), max(l.Height, c.Height))
}

// relayout lays the panes out again after what a narrow window shows may
// have changed (a conversation opened or closed), without redrawing them.
func (p *panes) relayout() {
	if p.narrow && p.laidOut {
		p.Layout(p.root.Objects, p.root.Size())
	}
}

// drag moves the handle to make the list w wide, within what the window
// allows.
func (p *panes) drag(w float32) {
	p.listWidth = p.fit(w, p.root.Size().Width)
	p.Layout(p.root.Objects, p.root.Size())
	canvas.Refresh(p.root)
}

// keep remembers the list's width for the next start.
func (p *panes) keep() {
	if p.prefs != nil {
		p.prefs.SetFloat(listWidthPref, float64(p.listWidth))
	}
}

// paneHandle is the divider between the contact list and the conversation:
// a thin line the height of the window with a grip of three dots in its
// middle, drawn in the theme's separator colours and in the primary colour
// while the pointer is on it or drags it. It shows the resize pointer.
type paneHandle struct {
	widget.BaseWidget
	p        *panes
	hovered  bool
	dragging bool
	from     float32 // the list's width the drag has reached, unclamped
}

var (
	_ fyne.Draggable     = (*paneHandle)(nil)
	_ desktop.Cursorable = (*paneHandle)(nil)
	_ desktop.Hoverable  = (*paneHandle)(nil)
)

func newPaneHandle(p *panes) *paneHandle {
	h := &paneHandle{p: p}
	h.ExtendBaseWidget(h)
	return h
}

// Cursor is the left-right resize pointer.
func (h *paneHandle) Cursor() desktop.Cursor { return desktop.HResizeCursor }

// Dragged moves the handle with the pointer.
func (h *paneHandle) Dragged(e *fyne.DragEvent) {
	if !h.dragging {
		h.dragging = true
		h.from = h.p.list.Size().Width
		h.Refresh()
	}
	h.from += e.Dragged.DX
	h.p.drag(h.from)
}

// DragEnd keeps the width the user chose.
func (h *paneHandle) DragEnd() {
	h.dragging = false
	h.p.keep()
	h.Refresh()
}

// MouseIn lights the handle up.
func (h *paneHandle) MouseIn(*desktop.MouseEvent) {
	h.hovered = true
	h.Refresh()
}

// MouseMoved does nothing: the handle is lit while the pointer is on it.
func (h *paneHandle) MouseMoved(*desktop.MouseEvent) {}

// MouseOut dims the handle.
func (h *paneHandle) MouseOut() {
	h.hovered = false
	h.Refresh()
}

// CreateRenderer draws the line, the grip and its dots.
func (h *paneHandle) CreateRenderer() fyne.WidgetRenderer {
	r := &handleRenderer{h: h, line: canvas.NewRectangle(nil), grip: canvas.NewRectangle(nil)}
	r.grip.CornerRadius = gripWidth / 2
	r.objects = []fyne.CanvasObject{r.line, r.grip}
	for i := range r.dots {
		r.dots[i] = canvas.NewCircle(nil)
		r.objects = append(r.objects, r.dots[i])
	}
	r.Refresh()
	return r
}

// handleRenderer draws a paneHandle.
type handleRenderer struct {
	h       *paneHandle
	line    *canvas.Rectangle
	grip    *canvas.Rectangle
	dots    [3]*canvas.Circle
	objects []fyne.CanvasObject
}

func (r *handleRenderer) Layout(size fyne.Size) {
	line := float32(1)
	if r.h.hovered || r.h.dragging {
		line = 2
	}
	r.line.Move(fyne.NewPos((size.Width-line)/2, 0))
	r.line.Resize(fyne.NewSize(line, size.Height))
	gx, gy := (size.Width-gripWidth)/2, (size.Height-gripLength)/2
	r.grip.Move(fyne.NewPos(gx, gy))
	r.grip.Resize(fyne.NewSize(gripWidth, gripLength))
	const dot, gap = 2, 5
	top := gy + (gripLength-3*dot-2*gap)/2
	for i, d := range r.dots {
		d.Move(fyne.NewPos(gx+(gripWidth-dot)/2, top+float32(i)*(dot+gap)))
		d.Resize(fyne.NewSquareSize(dot))
	}
}

// MinSize is a strip two paddings wide, enough to catch with the pointer.
func (r *handleRenderer) MinSize() fyne.Size {
	return fyne.NewSize(2*theme.Padding()+1, gripLength)
}

func (r *handleRenderer) Refresh() {
	th := r.h.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	line, grip, dot := th.Color(theme.ColorNameSeparator, v), th.Color(theme.ColorNameInputBorder, v),
		th.Color(theme.ColorNamePlaceHolder, v)
	if r.h.hovered || r.h.dragging {
		line, grip, dot = th.Color(theme.ColorNamePrimary, v), th.Color(theme.ColorNamePrimary, v),
			th.Color(theme.ColorNameForegroundOnPrimary, v)
	}
	r.line.FillColor, r.grip.FillColor = line, grip
	for _, d := range r.dots {
		d.FillColor = dot
		d.Refresh()
	}
	r.line.Refresh()
	r.grip.Refresh()
	r.Layout(r.h.Size())
}

func (r *handleRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *handleRenderer) Destroy() {}
