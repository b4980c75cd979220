package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/core/node"
)

// bubbleShare is the widest a bubble gets, as a share of the chat's width.
const bubbleShare = 0.72

// bubble is one message in the chat: a rounded box on the right (mine) or on
// the left (theirs) holding the text, its time and, for mine, its delivery
// state. It spans the chat's width and works out its own height for a width,
// so the message column lays it out in one pass.
type bubble struct {
	widget.BaseWidget

	msg    node.MessageView
	out    bool
	system bool // a call's line ("Missed call"): centred and quiet, see callline.go
	now    func() time.Time

	bg    *canvas.Rectangle
	text  *bubbleText
	links *linkList
	meta  *canvas.Text
	icon  *widget.Icon // shown on system lines only

	metaSet bool // meta comes from the timeline (grouped), not metaText
	onLink  func(url string)

	cacheWidth, cacheHeight float32
}

func newBubble(m node.MessageView, now func() time.Time) *bubble {
	b := &bubble{now: now}
	b.bg = canvas.NewRectangle(color.Transparent)
	b.bg.CornerRadius = theme.Padding() * 3
	b.text = newBubbleText()
	b.text.onMenu = b.showMenu
	b.meta = canvas.NewText("", color.Black)
	b.meta.TextSize = theme.CaptionTextSize()
	b.icon = widget.NewIcon(phoneIcon)
	b.icon.Hide()
	b.links = newLinkList(func(u string) {
		if b.onLink != nil {
			b.onLink(u)
		}
	})
	b.ExtendBaseWidget(b)
	b.set(m)
	return b
}

// show shows m with the meta line the timeline chose for its place in a
// group.
func (b *bubble) show(m node.MessageView, meta string) {
	if m == b.msg && b.metaSet && b.meta.Text == meta {
		return
	}
	if m.Text != b.msg.Text || meta != b.meta.Text {
		b.cacheWidth = 0
	}
	b.metaSet = true
	b.msg = m
	b.out = !incoming(m)
	b.setSystem(m.Kind == kindCall)
	b.text.SetText(m.Text)
	b.links.set(findLinks(m.Text))
	b.meta.Text = meta
	b.Refresh()
}

// set shows m, which has the same ID as the message shown before (or is the
// first one).
func (b *bubble) set(m node.MessageView) {
	if m.Text != b.msg.Text {
		b.cacheWidth = 0
	}
	b.msg = m
	b.out = !incoming(m)
	b.setSystem(m.Kind == kindCall)
	b.text.SetText(m.Text)
	b.links.set(findLinks(m.Text))
	b.meta.Text = b.metaText()
	b.Refresh()
}

func (b *bubble) metaText() string {
	return metaFor(b.msg, true, b.now())
}

// geometry is where the parts of a bubble go for a given width.
type geometry struct {
	x, width, textHeight, linksHeight, height float32
}

func (b *bubble) layoutFor(width float32) geometry {
	if b.system {
		return b.systemGeometry(width)
	}
	margin := theme.Padding() * 2
	inner := theme.InnerPadding()
	maxW := width*bubbleShare - margin
	if limit := width - 2*margin; maxW < 160 || maxW > limit {
		maxW = min(max(160, maxW), limit)
	}
	metaW := fyne.MeasureText(b.meta.Text, b.meta.TextSize, b.meta.TextStyle).Width
	bw := max(b.naturalWidth(maxW), metaW+2*inner, b.links.naturalWidth())
	bw = max(min(bw, maxW), 1)
	th := b.text.heightFor(bw)
	var metaH float32
	if b.meta.Text != "" {
		metaH = fyne.MeasureText("0", b.meta.TextSize, b.meta.TextStyle).Height
	}
	lh := b.links.height()
	x := margin
	if b.out {
		x = width - margin - bw
	}
	return geometry{x: x, width: bw, textHeight: th, linksHeight: lh, height: th + lh + metaH}
}

// naturalWidth is the width the text needs unwrapped (capped at limit),
// padding included.
func (b *bubble) naturalWidth(limit float32) float32 {
	return min(b.text.naturalWidth(), limit)
}

// heightFor is the bubble's height when it is width wide.
func (b *bubble) heightFor(width float32) float32 {
	if width != b.cacheWidth || b.cacheWidth == 0 {
		b.cacheHeight = b.layoutFor(width).height
		b.cacheWidth = width
	}
	return b.cacheHeight
}

// MinSize is the height for the last width the bubble was given.
func (b *bubble) MinSize() fyne.Size {
	w := b.Size().Width
	if w <= 0 {
		w = 480
	}
	return fyne.NewSize(120, b.heightFor(w))
}

func (b *bubble) CreateRenderer() fyne.WidgetRenderer {
	return &bubbleRenderer{b: b}
}

type bubbleRenderer struct{ b *bubble }

func (r *bubbleRenderer) Layout(size fyne.Size) {
	b := r.b
	g := b.layoutFor(size.Width)
	b.cacheWidth, b.cacheHeight = size.Width, g.height
	if b.system {
		b.layoutSystem(g, size.Width)
		return
	}
	b.bg.Move(fyne.NewPos(g.x, 0))
	b.bg.Resize(fyne.NewSize(g.width, g.height))
	b.text.Move(fyne.NewPos(g.x, 0))
	b.text.Resize(fyne.NewSize(g.width, g.textHeight))
	inner := theme.InnerPadding()
	b.links.Move(fyne.NewPos(g.x+inner/2, g.textHeight-inner*0.5))
	b.links.Resize(fyne.NewSize(g.width-inner, g.linksHeight))
	ms := b.meta.MinSize()
	b.meta.Move(fyne.NewPos(g.x+g.width-inner-ms.Width, g.textHeight+g.linksHeight-inner*0.75))
	b.meta.Resize(ms)
}

func (r *bubbleRenderer) MinSize() fyne.Size { return r.b.MinSize() }

func (r *bubbleRenderer) Refresh() {
	b := r.b
	if b.system {
		b.refreshSystem()
		r.Layout(b.Size())
		return
	}
	b.bg.FillColor, b.meta.Color = bubbleColors(b.out, b.msg.State)
	b.bg.Refresh()
	b.meta.Refresh()
	b.text.Refresh()
	b.links.Refresh()
	r.Layout(b.Size())
}

// bubbleColors are a bubble's fill and its meta line's colour in the
// current theme: a faint blue for ours, a faint grey for theirs, and a meta
// line (blue once delivered) that keeps WCAG AA contrast on that fill.
func bubbleColors(out bool, state string) (fill, meta color.Color) {
	bg := theme.Color(theme.ColorNameBackground)
	fg := theme.Color(theme.ColorNameForeground)
	if out {
		fill = mix(bg, theme.Color(theme.ColorNamePrimary), 0.22)
	} else {
		fill = mix(bg, fg, 0.08)
	}
	meta = theme.Color(theme.ColorNamePlaceHolder)
	if out && state == stateDelivered {
		meta = theme.Color(theme.ColorNamePrimary)
	}
	return fill, readable(meta, fg, fill)
}

func (r *bubbleRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.b.bg, r.b.icon, r.b.text, r.b.links, r.b.meta}
}

func (r *bubbleRenderer) Destroy() {}

// mix blends b into a by t (0: a, 1: b).
func mix(a, b color.Color, t float32) color.Color {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	f := func(x, y uint32) uint8 {
		return uint8((float32(x)*(1-t) + float32(y)*t) / 257)
	}
	return color.NRGBA{R: f(ar, br), G: f(ag, bg), B: f(ab, bb), A: 0xff}
}
