package ui

import (
	"image"
	"image/color"
	"testing"

	"fyne.io/fyne/v2/theme"
)

func TestEmojiFindsWholeSequences(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []int // rune lengths of the emoji found, in order
	}{
		{"plain text, © and ↑ stay text", nil},
		{"🎉", []int{1}},
		{"ok 👍🏽!", []int{2}},
		{"👨‍👩‍👧 family", []int{5}},
		{"🇫🇷🇩🇪", []int{2, 2}},
		{"❤️ and 1️⃣", []int{2, 3}},
	} {
		rs := []rune(tc.text)
		var got []int
		for i := 0; i < len(rs); {
			if n, ok := emojiAt(rs, i); ok {
				got = append(got, n)
				i += n
				continue
			}
			i++
		}
		if len(got) != len(tc.want) {
			t.Errorf("%q: found emoji of %v runes, want %v", tc.text, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%q: found emoji of %v runes, want %v", tc.text, got, tc.want)
			}
		}
	}
}

func TestEmojiDrawnAtTextSize(t *testing.T) {
	b := withHistory(0)
	b.history("Ana", "in", "It did 🎉 and 👍🏽", stateReceived)
	m, p := openWired(t, b)
	m.selectContact("Ana")
	p.until(t, "the message shows", func() bool { return len(bubbles(m)) == 1 })
	p.settle()
	txt := shown[*bubble](m.w)[0].text
	if txt.nEmoji != 2 {
		t.Fatalf("the bubble draws %d emoji pictures, want 2", txt.nEmoji)
	}
	size := theme.TextSize()
	lh := txt.measurer().lineHeight()
	var lastX float32
	for _, img := range txt.emoji[:txt.nEmoji] {
		if s := img.Size(); s.Width != size || s.Height != size {
			t.Errorf("an emoji is drawn %vx%v, want the text size %v", s.Width, s.Height, size)
		}
		if p := img.Position(); p.Y < 0 || p.Y+size > theme.InnerPadding()+lh+1 || p.X <= lastX {
			t.Errorf("an emoji at %v is not in its place on the line (line height %v)", p, lh)
		} else {
			lastX = p.X
		}
		if !colourful(img.Image) {
			t.Error("an emoji picture has no colour")
		}
	}
	if txt.nText != 2 {
		t.Errorf("the line is drawn in %d runs of text, want 2 (before and between the emoji)", txt.nText)
	}
	capture(t, m.w, "chat-emoji")
}

// colourful reports whether img has a clearly coloured, opaque pixel.
func colourful(img image.Image) bool {
	if img == nil {
		return false
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			hi, lo := max(c.R, c.G, c.B), min(c.R, c.G, c.B)
			if c.A > 200 && hi-lo > 80 {
				return true
			}
		}
	}
	return false
}
