package ui

import (
	"image"
	"math"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// spareLines is how many line objects a bubble keeps beyond the lines of
// the message it shows, for the next message it is given.
const spareLines = 16

// bubbleText is a message's text in its bubble: one canvas.Text per line,
// broken by the bubble itself (bubblewrap.go), with text selection and the
// message's right-click menu (bubbleselect.go). A bubble keeps its line
// objects and gives them the lines of each message it shows as the
// timeline reuses it, so scrolling through a conversation makes neither
// new widgets nor text measurements that outlive the rows in view.
// Its fields are used on the UI goroutine only.
type bubbleText struct {
	widget.BaseWidget

	Text       string              // the text shown
	Wrapping   fyne.TextWrap       // fyne.TextWrapWord, or TextWrapOff for one line per paragraph
	Truncation fyne.TextTruncation // fyne.TextTruncateEllipsis cuts a line too wide with "…"
	TextStyle  fyne.TextStyle

	onMenu func(*fyne.PointEvent) // a right click on the text

	runes    []rune     // Text, as the lines index it
	runesOf  string     // the Text runes was made from
	prepared bool       // runes was made
	lines    []textLine // runes broken for wrapWidth
	wrapW    float32    // the width lines were broken for; -1 none
	wrapOn   bool       // lines were broken with wrapping on
	natural  float32    // the widest paragraph, -1 not measured

	texts  []*canvas.Text  // line objects, texts[:nText] drawn
	emoji  []*canvas.Image // emoji pictures, emoji[:nEmoji] drawn
	nText  int
	nEmoji int
	marks  []*canvas.Rectangle // the selection's highlight, one per line it touches
	objs   []fyne.CanvasObject // what the renderer draws
	laid   layoutKey           // what the line objects show now

	selection
}

// layoutKey is what the line objects were last laid out for.
type layoutKey struct {
	text  string
	width float32
	size  float32
	wrap  bool
	n     int
}

func newBubbleText() *bubbleText {
	t := &bubbleText{Wrapping: fyne.TextWrapWord, wrapW: -1, natural: -1}
	t.ExtendBaseWidget(t)
	return t
}

// SetText shows s, dropping any selection of the text before.
func (t *bubbleText) SetText(s string) {
	if s != t.Text {
		t.Text = s
		t.clearSelection()
	}
	t.Refresh()
}

func (t *bubbleText) measurer() *textMeasurer {
	return measurerFor(theme.TextSize(), t.TextStyle)
}

// prepare breaks the text into lines for a line width (the text's width
// less its padding).
func (t *bubbleText) prepare(lineWidth float32) {
	t.loadRunes()
	wrap := t.Wrapping != fyne.TextWrapOff
	if lineWidth == t.wrapW && wrap == t.wrapOn && t.lines != nil {
		return
	}
	t.lines = wrapText(t.measurer(), t.runes, lineWidth, wrap)
	t.wrapW, t.wrapOn = lineWidth, wrap
}

// loadRunes takes the text's runes again if Text changed.
func (t *bubbleText) loadRunes() {
	if t.prepared && t.runesOf == t.Text {
		return
	}
	if cap(t.runes) > 1024 && cap(t.runes) > 4*len(t.Text) {
		t.runes = nil // a long message's runes, not kept for short ones
	}
	t.runes = append(t.runes[:0], []rune(t.Text)...)
	t.runesOf, t.prepared = t.Text, true
	t.lines, t.wrapW, t.natural = nil, -1, -1
	t.clearSelection()
}

// heightFor is the text's height when it is width wide, padding included.
func (t *bubbleText) heightFor(width float32) float32 {
	inner := theme.InnerPadding()
	t.prepare(width - 2*inner)
	return float32(len(t.lines))*t.measurer().lineHeight() + 2*inner
}

// naturalWidth is the width the text needs unwrapped, padding included.
func (t *bubbleText) naturalWidth() float32 {
	t.loadRunes()
	if t.natural < 0 {
		var w float32
		for _, l := range wrapText(t.measurer(), t.runes, 0, false) {
			w = max(w, l.width)
		}
		t.natural = w
	}
	return t.natural + 2*theme.InnerPadding() + 1
}

// MinSize is the height the text needs at its width.
func (t *bubbleText) MinSize() fyne.Size {
	w := t.Size().Width
	if w <= 0 {
		w = t.naturalWidth()
	}
	return fyne.NewSize(2*theme.InnerPadding(), t.heightFor(w))
}

// lineString is what line i draws: its runes, tabs as spaces, cut with an
// ellipsis past avail if the text truncates.
func (t *bubbleText) lineString(i int, avail float32) string {
	l := t.lines[i]
	rs := t.runes[l.start:l.end]
	cut := false
	if t.Truncation == fyne.TextTruncateEllipsis && l.width > avail {
		m := t.measurer()
		room := avail - m.wordWidth([]rune{'…'})
		adv := m.advances(rs, nil)
		var w float32
		n := 0
		for n < len(rs) && w+adv[n] <= room {
			w += adv[n]
			n++
		}
		rs, cut = rs[:n], true
	}
	s := string(rs)
	if strings.ContainsAny(s, "\t\r") {
		s = strings.NewReplacer("\t", "    ", "\r", "").Replace(s)
	}
	if cut {
		s += "…"
	}
	return s
}

// layoutLines gives the line objects their lines for size and places them.
func (t *bubbleText) layoutLines(size fyne.Size) {
	inner := theme.InnerPadding()
	m := t.measurer()
	t.prepare(size.Width - 2*inner)
	key := layoutKey{text: t.Text, width: size.Width, size: m.size, wrap: t.wrapOn, n: len(t.lines)}
	if key != t.laid {
		t.laid = key
		lh := m.lineHeight()
		t.nText, t.nEmoji = 0, 0
		for i, l := range t.lines {
			y := inner + float32(i)*lh
			if t.Truncation == fyne.TextTruncateOff && hasEmoji(t.runes[l.start:l.end]) {
				t.layoutEmojiLine(i, y)
				continue
			}
			txt := t.textObject()
			txt.Text = t.lineString(i, size.Width-2*inner)
			txt.Move(fyne.NewPos(inner, y))
			txt.Resize(fyne.NewSize(max(0, size.Width-2*inner), lh))
		}
		if len(t.texts) > t.nText+spareLines {
			clear(t.texts[t.nText+spareLines:])
			t.texts = t.texts[:t.nText+spareLines]
		}
		for _, txt := range t.texts[t.nText:] {
			txt.Text = ""
		}
		if len(t.emoji) > t.nEmoji+spareLines {
			clear(t.emoji[t.nEmoji+spareLines:])
			t.emoji = t.emoji[:t.nEmoji+spareLines]
		}
	}
	t.layoutMarks()
	t.objs = t.objs[:0]
	for _, r := range t.marks {
		if r.Visible() {
			t.objs = append(t.objs, r)
		}
	}
	for _, txt := range t.texts[:t.nText] {
		t.objs = append(t.objs, txt)
	}
	for _, img := range t.emoji[:t.nEmoji] {
		t.objs = append(t.objs, img)
	}
}

// textObject is the next line object to use in a layout.
func (t *bubbleText) textObject() *canvas.Text {
	if t.nText == len(t.texts) {
		t.texts = append(t.texts, canvas.NewText("", theme.Color(theme.ColorNameForeground)))
	}
	txt := t.texts[t.nText]
	t.nText++
	m := t.measurer()
	txt.TextSize, txt.TextStyle = m.size, t.TextStyle
	return txt
}

// emojiObject is the next emoji picture to use in a layout.
func (t *bubbleText) emojiObject() *canvas.Image {
	if t.nEmoji == len(t.emoji) {
		img := canvas.NewImageFromImage(nil)
		img.FillMode = canvas.ImageFillContain
		img.ScaleMode = canvas.ImageScaleSmooth
		t.emoji = append(t.emoji, img)
	}
	img := t.emoji[t.nEmoji]
	t.nEmoji++
	return img
}

// emojiOversample is how many pixels an emoji picture has per unit of
// text size: enough for a screen scale of 2 without blur.
const emojiOversample = 2

// layoutEmojiLine lays out line i, at y, as runs of text and emoji
// pictures at the text's size on its baseline.
func (t *bubbleText) layoutEmojiLine(i int, y float32) {
	m := t.measurer()
	l := t.lines[i]
	rs := t.runes[l.start:l.end]
	lh, base, size := m.lineHeight(), m.baseline(), m.size
	x := theme.InnerPadding()
	emojiRuns(rs, int(math.Ceil(float64(size*emojiOversample))), func(from, to int, pic image.Image) {
		if pic == nil {
			txt := t.textObject()
			txt.Text = strings.NewReplacer("\t", "    ", "\r", "").Replace(string(rs[from:to]))
			w := fyne.MeasureText(txt.Text, size, t.TextStyle).Width // as the painter measures it
			txt.Move(fyne.NewPos(x, y))
			txt.Resize(fyne.NewSize(w, lh))
			x += w
			return
		}
		img := t.emojiObject()
		if img.Image != pic {
			img.Image = pic
			img.Refresh()
		}
		w := m.wordWidth(rs[from:to])
		img.Move(fyne.NewPos(x+(w-size)/2, y+base-emojiAscent()*size))
		img.Resize(fyne.NewSquareSize(size))
		x += w
	})
}

func (t *bubbleText) CreateRenderer() fyne.WidgetRenderer {
	return &bubbleTextRenderer{t: t}
}

type bubbleTextRenderer struct{ t *bubbleText }

func (r *bubbleTextRenderer) Layout(size fyne.Size) { r.t.layoutLines(size) }

func (r *bubbleTextRenderer) MinSize() fyne.Size { return r.t.MinSize() }

func (r *bubbleTextRenderer) Refresh() {
	t := r.t
	fg := theme.Color(theme.ColorNameForeground)
	for _, txt := range t.texts {
		txt.Color = fg
	}
	sel := theme.Color(theme.ColorNameSelection)
	for _, m := range t.marks {
		m.FillColor = sel
	}
	t.layoutLines(t.Size())
	canvas.Refresh(t)
}

func (r *bubbleTextRenderer) Objects() []fyne.CanvasObject { return r.t.objs }

func (r *bubbleTextRenderer) Destroy() {}
