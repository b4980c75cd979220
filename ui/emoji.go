package ui

import (
	"bytes"
	"image"
	"log/slog"
	"math"
	"sync"

	"fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/shaping"
	"github.com/srwiley/oksvg"
	"github.com/srwiley/rasterx"
	"golang.org/x/image/math/fixed"
)

// Why bubbles draw emoji themselves: Fyne 2.7.1 bundles a colour emoji
// font (EmojiOne, SVG glyphs), but its text painter renders an SVG glyph
// into the glyph's ink box, taking the SVG's viewBox as the picture's
// bounds although in an OpenType SVG glyph the viewBox's top is the
// baseline: the picture comes out small and squashed beside the text.
// Here an emoji is rendered from the same font at the text's size, the
// em box above and below the baseline as the font lays it out, and drawn
// as an image in the line.

// emojiFont is the bundled emoji font, parsed once; nil if the app was
// built without one (-tags no_emoji) or it does not parse.
var emojiFont = sync.OnceValue(func() *font.Face {
	res := theme.DefaultEmojiFont()
	if res == nil {
		return nil
	}
	f, err := font.ParseTTF(bytes.NewReader(res.Content()))
	if err != nil {
		slog.Warn("the bundled emoji font does not load; emoji are drawn as text", "err", err)
		return nil
	}
	return f
})

// emojiAt reports whether an emoji starts at rs[i], and how many runes it
// takes (a sequence joined with ZWJ, a skin tone, a flag's pair, a
// keycap, a variation selector all belong to it).
func emojiAt(rs []rune, i int) (n int, ok bool) {
	r := rs[i]
	next := func(k int) rune {
		if k < len(rs) {
			return rs[k]
		}
		return 0
	}
	switch {
	case r >= 0x1F1E6 && r <= 0x1F1FF: // regional indicators pair into a flag
		if n := next(i + 1); n >= 0x1F1E6 && n <= 0x1F1FF {
			return 2, true
		}
		return 1, true
	case r >= 0x1F000 && r <= 0x1FAFF && (r < 0x1F3FB || r > 0x1F3FF):
	case (r >= 0x2190 && r <= 0x2BFF || r == 0xA9 || r == 0xAE || r == 0x203C || r == 0x2049) && next(i+1) == 0xFE0F:
	case (r >= '0' && r <= '9' || r == '#' || r == '*') && next(i+1) == 0xFE0F && next(i+2) == 0x20E3:
		return 3, true
	default:
		return 0, false
	}
	j := i + 1
	for j < len(rs) {
		switch c := rs[j]; {
		case c == 0xFE0F || c == 0x20E3 || c >= 0x1F3FB && c <= 0x1F3FF || c >= 0xE0020 && c <= 0xE007F:
			j++
		case c == 0x200D && j+1 < len(rs):
			j += 2
		default:
			return j - i, true
		}
	}
	return j - i, true
}

// hasEmoji reports whether rs holds an emoji.
func hasEmoji(rs []rune) bool {
	for i := range rs {
		if _, ok := emojiAt(rs, i); ok {
			return true
		}
	}
	return false
}

type emojiKey struct {
	seq string
	px  int
}

var (
	emojiMu     sync.Mutex
	emojiImages = map[emojiKey]image.Image{}
)

// emojiRuns splits rs into runs of text (pic nil) and emoji that have a
// colour picture px pixels square, in order, calling each for every run
// that is not empty. An emoji without a picture stays in its text run.
func emojiRuns(rs []rune, px int, each func(start, end int, pic image.Image)) {
	run := 0
	for k := 0; k < len(rs); {
		n, ok := emojiAt(rs, k)
		if !ok {
			k++
			continue
		}
		pic := emojiImage(rs[k:k+n], px)
		if pic == nil {
			k += n
			continue
		}
		if run < k {
			each(run, k, nil)
		}
		each(k, k+n, pic)
		k += n
		run = k
	}
	if run < len(rs) {
		each(run, len(rs), nil)
	}
}

// emojiImageCap bounds the emoji pictures kept.
const emojiImageCap = 512

// emojiImage is seq (one emoji) drawn px pixels square, the font's em box
// from its ascent above the baseline to its descent below; nil if the
// emoji font has no colour picture for it.
func emojiImage(seq []rune, px int) image.Image {
	if px <= 0 || px > 512 {
		return nil
	}
	k := emojiKey{string(seq), px}
	emojiMu.Lock()
	defer emojiMu.Unlock()
	if img, ok := emojiImages[k]; ok {
		return img
	}
	img := renderEmoji(seq, px)
	if len(emojiImages) >= emojiImageCap {
		clear(emojiImages)
	}
	emojiImages[k] = img
	return img
}

// renderEmoji draws seq from the emoji font's SVG glyph; nil if it has
// none for seq.
func renderEmoji(seq []rune, px int) image.Image {
	f := emojiFont()
	if f == nil {
		return nil
	}
	out := (&shaping.HarfbuzzShaper{}).Shape(shaping.Input{Text: seq, RunEnd: len(seq),
		Direction: di.DirectionLTR, Face: f, Size: fixed.I(px)})
	if len(out.Glyphs) != 1 {
		return nil
	}
	data, ok := f.GlyphData(out.Glyphs[0].GlyphID).(font.GlyphSVG)
	if !ok {
		return nil
	}
	icon, err := oksvg.ReadIconStream(bytes.NewReader(data.Source), oksvg.IgnoreErrorMode)
	if err != nil || icon.ViewBox.W <= 0 || icon.ViewBox.H <= 0 {
		return nil
	}
	// The viewBox's top is the baseline and its height the em; the
	// picture spans the em box, from the ascent above the baseline.
	upem := float64(f.Upem())
	asc := 0.8 * upem
	if e, ok := f.FontHExtents(); ok && e.Ascender > 0 {
		asc = float64(e.Ascender)
	}
	icon.ViewBox.Y -= asc * icon.ViewBox.H / upem
	icon.SetTarget(0, 0, float64(px), float64(px))
	img := image.NewNRGBA(image.Rect(0, 0, px, px))
	scanner := rasterx.NewScannerGV(px, px, img, img.Bounds())
	icon.Draw(rasterx.NewDasher(px, px, scanner), 1)
	return img
}

// emojiAscent is how far above the baseline an emoji's picture starts, as
// a share of the text size.
func emojiAscent() float32 {
	f := emojiFont()
	if f == nil {
		return 0.8
	}
	if e, ok := f.FontHExtents(); ok && e.Ascender > 0 {
		return float32(math.Min(1, float64(e.Ascender)/float64(f.Upem())))
	}
	return 0.8
}
