package ui

import (
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
)

// Text selection in a bubble, as in a selectable label: drag to select, a
// double click selects a word, Ctrl+C (while the text has the focus) or
// the right-click menu's Copy copies. The selection goes when the text
// loses the focus or shows another message.

// selection is a bubble text's selection: the runes between anchor and
// caret (either may come first) while on.
type selection struct {
	anchor, caret int
	on            bool // something is selected
	dragging      bool // a drag is selecting
	focused       bool
	adv           []float32 // scratch for the advances of a line
}

var (
	_ desktop.Mouseable      = (*bubbleText)(nil)
	_ desktop.Cursorable     = (*bubbleText)(nil)
	_ fyne.Draggable         = (*bubbleText)(nil)
	_ fyne.DoubleTappable    = (*bubbleText)(nil)
	_ fyne.SecondaryTappable = (*bubbleText)(nil)
	_ fyne.Focusable         = (*bubbleText)(nil)
	_ fyne.Shortcutable      = (*bubbleText)(nil)
)

func (s *selection) clearSelection() {
	s.on, s.dragging = false, false
	s.anchor, s.caret = 0, 0
}

// selected is the selection's runes [from, to), or from == to for none.
func (t *bubbleText) selected() (from, to int) {
	if !t.on {
		return 0, 0
	}
	from, to = min(t.anchor, t.caret), max(t.anchor, t.caret)
	return min(from, len(t.runes)), min(to, len(t.runes))
}

// SelectedText is the text selected, or "".
func (t *bubbleText) SelectedText() string {
	from, to := t.selected()
	return string(t.runes[from:to])
}

// lineScale corrects line i's measured advances to its drawn width
// (kerning and shaping make drawn text a little narrower than the sum of
// its runes). It measures the line as drawn, which the painter has
// measured already, so it adds nothing to Fyne's text cache.
func (t *bubbleText) lineScale(i int) float32 {
	l := t.lines[i]
	if l.width <= 0 {
		return 1
	}
	drawn := fyne.MeasureText(t.lineString(i, math.MaxFloat32), t.measurer().size, t.TextStyle).Width
	if drawn <= 0 {
		return 1
	}
	return drawn / l.width
}

// lineX is how far into line i (from the text's left edge) rune index at
// is drawn.
func (t *bubbleText) lineX(i, at int) float32 {
	l := t.lines[i]
	at = min(max(at, l.start), l.end)
	t.adv = t.measurer().advances(t.runes[l.start:at], t.adv)
	var x float32
	for _, a := range t.adv {
		x += a
	}
	return theme.InnerPadding() + x*t.lineScale(i)
}

// indexAt is the rune index nearest to p, a position in the text.
func (t *bubbleText) indexAt(p fyne.Position) int {
	t.prepare(t.Size().Width - 2*theme.InnerPadding())
	if len(t.lines) == 0 {
		return 0
	}
	row := int(math.Floor(float64((p.Y - theme.InnerPadding()) / t.measurer().lineHeight())))
	if row < 0 {
		return 0
	}
	if row >= len(t.lines) {
		return len(t.runes)
	}
	l := t.lines[row]
	t.adv = t.measurer().advances(t.runes[l.start:l.end], t.adv)
	scale := t.lineScale(row)
	x := theme.InnerPadding()
	for k, a := range t.adv {
		if p.X < x+a*scale/2 {
			return l.start + k
		}
		x += a * scale
	}
	return l.end
}

// selectBetween selects runes [from, to) and takes the focus.
func (t *bubbleText) selectBetween(from, to int) {
	t.anchor, t.caret = from, to
	t.on = from != to
	t.focus()
	t.Refresh()
}

func (t *bubbleText) focus() {
	if c := fyne.CurrentApp().Driver().CanvasForObject(t); c != nil && c.Focused() != t {
		c.Focus(t)
	}
}

// MouseDown starts afresh: a click drops the selection.
func (t *bubbleText) MouseDown(ev *desktop.MouseEvent) {
	if ev.Button != desktop.MouseButtonPrimary {
		return
	}
	had := t.on
	t.clearSelection()
	t.focus()
	if had {
		t.Refresh()
	}
}

// MouseUp ends a click; a drag ends in DragEnd.
func (t *bubbleText) MouseUp(*desktop.MouseEvent) {}

// Dragged selects from where the drag began to where it is.
func (t *bubbleText) Dragged(ev *fyne.DragEvent) {
	if !t.dragging {
		t.dragging = true
		t.anchor = t.indexAt(ev.Position.Subtract(ev.Dragged))
	}
	t.selectBetween(t.anchor, t.indexAt(ev.Position))
}

// DragEnd keeps what the drag selected.
func (t *bubbleText) DragEnd() { t.dragging = false }

// DoubleTapped selects the word under the pointer.
func (t *bubbleText) DoubleTapped(ev *fyne.PointEvent) {
	i := t.indexAt(ev.Position)
	from, to := i, i
	for from > 0 && !breakable(t.runes[from-1]) && t.runes[from-1] != '\n' {
		from--
	}
	for to < len(t.runes) && !breakable(t.runes[to]) && t.runes[to] != '\n' {
		to++
	}
	t.selectBetween(from, to)
}

// TappedSecondary shows the message's menu.
func (t *bubbleText) TappedSecondary(ev *fyne.PointEvent) {
	if t.onMenu != nil {
		t.onMenu(ev)
	}
}

// Cursor is the text cursor.
func (t *bubbleText) Cursor() desktop.Cursor { return desktop.TextCursor }

// FocusGained shows the selection.
func (t *bubbleText) FocusGained() {
	t.focused = true
	t.Refresh()
}

// FocusLost drops the selection.
func (t *bubbleText) FocusLost() {
	t.focused = false
	t.clearSelection()
	t.Refresh()
}

// TypedRune does nothing: the text is read only.
func (t *bubbleText) TypedRune(rune) {}

// TypedKey does nothing: the text is read only.
func (t *bubbleText) TypedKey(*fyne.KeyEvent) {}

// TypedShortcut copies the selection on Ctrl+C.
func (t *bubbleText) TypedShortcut(s fyne.Shortcut) {
	if _, ok := s.(*fyne.ShortcutCopy); ok {
		if sel := t.SelectedText(); sel != "" {
			fyne.CurrentApp().Clipboard().SetContent(sel)
		}
	}
}

// layoutMarks puts the highlight behind the selected runes of each line.
func (t *bubbleText) layoutMarks() {
	from, to := t.selected()
	n := 0
	if from < to {
		lh := t.measurer().lineHeight()
		for i, l := range t.lines {
			if to <= l.start || from >= l.next {
				continue
			}
			if n == len(t.marks) {
				t.marks = append(t.marks, canvas.NewRectangle(theme.Color(theme.ColorNameSelection)))
			}
			x1, x2 := t.lineX(i, from), t.lineX(i, to)
			if to > l.end && i < len(t.lines)-1 { // the selection goes on past the line
				x2 += t.measurer().wordWidth([]rune{' '})
			}
			r := t.marks[n]
			r.Move(fyne.NewPos(x1, theme.InnerPadding()+float32(i)*lh))
			r.Resize(fyne.NewSize(max(1, x2-x1), lh))
			r.Show()
			n++
		}
	}
	for _, r := range t.marks[n:] {
		r.Hide()
	}
}
