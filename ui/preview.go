package ui

import (
	"image"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// previewText is a contact row's last-message line: one line of quiet
// caption text, cut with "…" when it is wider than the row. Text without
// emoji is a quietText as Fyne draws it; text with emoji is drawn as
// runs of text with each emoji a picture at the text's size on the
// baseline, as bubbles draw them (bubbletext.go), because Fyne's painter
// draws emoji small and squashed. A row keeps its objects as the list
// reuses it and lays them out again only when its text, width or text
// size changes. Its fields are used on the UI goroutine only.
type previewText struct {
	widget.BaseWidget

	plain *quietText // the text when it holds no emoji; empty otherwise
	text  string     // the text shown
	runes []rune     // text, whitespace as spaces
	emoji bool       // text holds an emoji: drawn by the runs below

	segs  []previewSeg    // the runs of the text, as last laid out
	adv   []float32       // scratch advances for cutting a run
	texts []*canvas.Text  // run objects, texts[:nText] drawn
	pics  []*canvas.Image // emoji pictures, pics[:nPic] drawn
	nText int
	nPic  int
	objs  []fyne.CanvasObject // what the renderer draws
	laid  previewKey          // what the runs were laid out for
}

// previewSeg is a run of text, or one emoji drawn as pic.
type previewSeg struct {
	start, end int
	pic        image.Image
	width      float32
}

// previewKey is what a preview's runs were laid out for.
type previewKey struct {
	text  string
	width float32
	size  float32
}

// ellipsisRunes is what a cut preview ends with.
var ellipsisRunes = []rune{'…'}

func newPreviewText() *previewText {
	p := &previewText{plain: newQuietText("", theme.SizeNameCaptionText, fyne.TextAlignLeading)}
	p.objs = append(p.objs, p.plain)
	p.ExtendBaseWidget(p)
	return p
}

// Text returns the text shown.
func (p *previewText) Text() string { return p.text }

// SetText shows s on one line.
func (p *previewText) SetText(s string) {
	if s == p.text {
		return
	}
	p.text = s
	p.runes = p.runes[:0]
	for _, r := range s {
		if r == '\t' || r == '\r' || r == '\n' {
			r = ' '
		}
		p.runes = append(p.runes, r)
	}
	p.emoji = hasEmoji(p.runes)
	if p.emoji {
		p.plain.SetText("")
	} else {
		p.plain.SetText(s)
	}
	p.laid = previewKey{}
	p.Refresh()
}

// layout places the plain text or the runs for size.
func (p *previewText) layout(size fyne.Size) {
	p.plain.Move(fyne.Position{})
	p.plain.Resize(size)
	p.objs = p.objs[:0]
	if !p.emoji {
		p.nText, p.nPic = 0, 0
		p.objs = append(p.objs, p.plain)
		return
	}
	p.layoutRuns(size)
	for _, t := range p.texts[:p.nText] {
		p.objs = append(p.objs, t)
	}
	for _, img := range p.pics[:p.nPic] {
		p.objs = append(p.objs, img)
	}
}

// layoutRuns lays the text out as runs of text and emoji pictures on one
// line within size, cut with "…" if it is too wide; nothing is done if
// the text, width and text size are those of the last layout.
func (p *previewText) layoutRuns(size fyne.Size) {
	m := measurerFor(theme.CaptionTextSize(), fyne.TextStyle{})
	key := previewKey{text: p.text, width: size.Width, size: m.size}
	if key == p.laid {
		return
	}
	p.laid = key
	p.nText, p.nPic = 0, 0
	total := p.split(m)
	inner := theme.InnerPadding()
	avail := size.Width - 2*inner
	cut := total > avail
	room := avail
	if cut {
		room = avail - m.wordWidth(ellipsisRunes)
	}
	lh, base, ts := m.lineHeight(), m.baseline(), m.size
	x := inner
	ended := false
	for _, s := range p.segs {
		used := x - inner
		if s.pic != nil {
			if cut && used+s.width > room {
				break
			}
			img := p.picObject()
			if img.Image != s.pic {
				img.Image = s.pic
				img.Refresh()
			}
			img.Move(fyne.NewPos(x+(s.width-ts)/2, inner+base-emojiAscent()*ts))
			img.Resize(fyne.NewSquareSize(ts))
			x += s.width
			continue
		}
		rs := p.runes[s.start:s.end]
		if !cut || used+s.width <= room {
			p.placeText(string(rs), x, s.width, lh)
			x += s.width
			continue
		}
		p.adv = m.advances(rs, p.adv[:0])
		n := 0
		var w float32
		for n < len(rs) && used+w+p.adv[n] <= room {
			w += p.adv[n]
			n++
		}
		for n > 0 && rs[n-1] == ' ' {
			n--
			w -= p.adv[n]
		}
		p.placeText(string(rs[:n])+"…", x, w+m.wordWidth(ellipsisRunes), lh)
		ended = true
		break
	}
	if cut && !ended {
		p.placeText("…", x, m.wordWidth(ellipsisRunes), lh)
	}
}

// split breaks the text into runs of text and emoji with a picture, and
// returns their total width.
func (p *previewText) split(m *textMeasurer) float32 {
	rs := p.runes
	px := int(math.Ceil(float64(m.size * emojiOversample)))
	p.segs = p.segs[:0]
	var total float32
	emojiRuns(rs, px, func(start, end int, pic image.Image) {
		s := previewSeg{start: start, end: end, pic: pic, width: m.wordWidth(rs[start:end])}
		p.segs = append(p.segs, s)
		total += s.width
	})
	return total
}

// placeText puts s in the next run object at x, w wide.
func (p *previewText) placeText(s string, x, w, lh float32) {
	if p.nText == len(p.texts) {
		t := canvas.NewText("", theme.Color(theme.ColorNamePlaceHolder))
		p.texts = append(p.texts, t)
	}
	t := p.texts[p.nText]
	p.nText++
	t.Text, t.TextSize = s, theme.CaptionTextSize()
	t.Move(fyne.NewPos(x, theme.InnerPadding()))
	t.Resize(fyne.NewSize(w, lh))
}

// picObject is the next emoji picture to use in a layout.
func (p *previewText) picObject() *canvas.Image {
	if p.nPic == len(p.pics) {
		img := canvas.NewImageFromImage(nil)
		img.FillMode = canvas.ImageFillContain
		img.ScaleMode = canvas.ImageScaleSmooth
		p.pics = append(p.pics, img)
	}
	img := p.pics[p.nPic]
	p.nPic++
	return img
}

func (p *previewText) CreateRenderer() fyne.WidgetRenderer {
	return &previewRenderer{p: p}
}

type previewRenderer struct{ p *previewText }

func (r *previewRenderer) Layout(size fyne.Size) { r.p.layout(size) }

// MinSize is one line of caption text, as the plain text needs it.
func (r *previewRenderer) MinSize() fyne.Size { return r.p.plain.MinSize() }

func (r *previewRenderer) Refresh() {
	p := r.p
	fg := theme.Color(theme.ColorNamePlaceHolder)
	for _, t := range p.texts {
		t.Color = fg
	}
	p.layout(p.Size())
	canvas.Refresh(p)
}

func (r *previewRenderer) Objects() []fyne.CanvasObject { return r.p.objs }

func (r *previewRenderer) Destroy() {}
