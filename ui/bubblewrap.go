package ui

import (
	"math"
	"sync"
	"unicode"

	"fyne.io/fyne/v2"
)

// Why bubbles measure text themselves: every string handed to
// fyne.MeasureText stays in Fyne's text-size cache for a minute, and a
// wrapping widget.Label measures many substrings of its text (a binary
// search per row) each time it is given text or a width. Measuring every
// message of a long conversation that way filled the heap by about 2 KiB a
// message scrolled past. Here most text is measured as a sum of glyph
// advances kept per rune, so what is cached grows with the alphabet, not
// with the messages; words that need shaping (joined scripts, combining
// marks, emoji sequences) are measured whole, through a bounded cache of
// our own.

// textMeasurer measures runs of text at one size and style.
type textMeasurer struct {
	mu    sync.Mutex
	size  float32
	style fyne.TextStyle
	adv   map[rune]float32   // advance of each simple rune measured
	words map[string]float32 // width of each shaped word measured
	lineH float32
	base  float32 // from a line's top to its baseline
}

// measurerCap bounds each of a measurer's caches; past it a cache starts
// again empty.
const measurerCap = 4096

var (
	measurersMu sync.Mutex
	measurers   = map[measurerKey]*textMeasurer{}
)

type measurerKey struct {
	size  float32
	style fyne.TextStyle
}

// measurerFor returns the measurer for text of size and style.
func measurerFor(size float32, style fyne.TextStyle) *textMeasurer {
	measurersMu.Lock()
	defer measurersMu.Unlock()
	k := measurerKey{size, style}
	m := measurers[k]
	if m == nil {
		if len(measurers) > 16 {
			clear(measurers)
		}
		m = &textMeasurer{size: size, style: style, adv: map[rune]float32{}, words: map[string]float32{}}
		measurers[k] = m
	}
	return m
}

// lineHeight is the height of one line of text.
func (m *textMeasurer) lineHeight() float32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.metricsLocked()
	return m.lineH
}

// baseline is how far below a line's top its baseline is.
func (m *textMeasurer) baseline() float32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.metricsLocked()
	return m.base
}

func (m *textMeasurer) metricsLocked() {
	if m.lineH == 0 {
		s, base := fyne.CurrentApp().Driver().RenderedTextSize("M", m.size, m.style, nil)
		m.lineH, m.base = s.Height, base
	}
}

// simpleRune reports whether r is drawn the same alone as next to other
// letters (no joining, no combining), so a run of such runes is as wide as
// the sum of their advances, kerning aside (which only narrows it).
func simpleRune(r rune) bool {
	switch {
	case r < 0x0300: // Latin, IPA, spacing modifiers
		return r >= 0x20 || r == '\t'
	case r < 0x0370: // combining diacritics
		return false
	case r < 0x0590: // Greek, Cyrillic, Armenian
		return !unicode.Is(unicode.Mn, r)
	case r >= 0x1E00 && r < 0x2000: // Latin and Greek extended
		return true
	case r >= 0x2010 && r < 0x2028, r >= 0x2030 && r < 0x2060: // punctuation, no format characters
		return true
	case r >= 0x2070 && r < 0x2C00: // currency, letterlike, arrows, maths, shapes, symbols
		return true
	}
	return false
}

// breakable reports whether a line may break after r.
func breakable(r rune) bool {
	return r == ' ' || r == '\t' || r == 0x3000
}

// runeAdvance is how far r moves the pen; the caller holds m.mu.
func (m *textMeasurer) runeAdvance(r rune) float32 {
	if a, ok := m.adv[r]; ok {
		return a
	}
	var a float32
	switch r {
	case '\t':
		a = 4 * m.runeAdvance(' ')
	case '\r', '\n':
	default:
		a = fyne.MeasureText(string(r), m.size, m.style).Width
	}
	if len(m.adv) >= measurerCap {
		clear(m.adv)
	}
	m.adv[r] = a
	return a
}

// wordWidth is the width of a run of runes with no break in it.
func (m *textMeasurer) wordWidth(w []rune) float32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.wordWidthLocked(w)
}

func (m *textMeasurer) wordWidthLocked(w []rune) float32 {
	var sum float32
	for _, r := range w {
		if !simpleRune(r) {
			return m.shapedLocked(w)
		}
		sum += m.runeAdvance(r)
	}
	return sum
}

// shapedLocked measures w whole (it needs shaping).
func (m *textMeasurer) shapedLocked(w []rune) float32 {
	s := string(w)
	if v, ok := m.words[s]; ok {
		return v
	}
	v := fyne.MeasureText(s, m.size, m.style).Width
	if len(m.words) >= measurerCap {
		clear(m.words)
	}
	m.words[s] = v
	return v
}

// advances fills out with how far each rune of line moves the pen: a
// simple rune's own advance, and for a word that needs shaping its width
// shared evenly among its runes.
func (m *textMeasurer) advances(line []rune, out []float32) []float32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out = out[:0]
	for i := 0; i < len(line); {
		j := i
		for j < len(line) && !breakable(line[j]) {
			j++
		}
		if j == i {
			out = append(out, m.runeAdvance(line[i]))
			i++
			continue
		}
		w := line[i:j]
		simple := true
		for _, r := range w {
			simple = simple && simpleRune(r)
		}
		if simple {
			for _, r := range w {
				out = append(out, m.runeAdvance(r))
			}
		} else {
			share := m.shapedLocked(w) / float32(len(w))
			for range w {
				out = append(out, share)
			}
		}
		i = j
	}
	return out
}

// textLine is one drawn line of a text: runes[start:end] are drawn, and
// the line owns the runes up to next (the spaces it broke at, or the
// newline).
type textLine struct {
	start, end, next int
	width            float32 // of runes[start:end], trailing spaces left out
}

// wrapText breaks runes into lines no wider than width, between words
// where it can and inside a word longer than a line; every "\n" starts a
// new line. With wrap false each paragraph is one line, whatever its width.
func wrapText(m *textMeasurer, runes []rune, width float32, wrap bool) []textLine {
	var lines []textLine
	for ps := 0; ps <= len(runes); {
		pe := ps
		for pe < len(runes) && runes[pe] != '\n' {
			pe++
		}
		next := pe
		if pe < len(runes) {
			next = pe + 1
		}
		lines = wrapParagraph(m, runes, ps, pe, width, wrap, lines)
		lines[len(lines)-1].next = next
		if pe == len(runes) {
			break
		}
		ps = pe + 1
	}
	return lines
}

// wrapParagraph appends the lines of runes[ps:pe], which holds no newline.
func wrapParagraph(m *textMeasurer, runes []rune, ps, pe int, width float32, wrap bool, lines []textLine) []textLine {
	if !wrap { // measured word by word as when wrapping, so the widest paragraph fits unbroken
		width = float32(math.Inf(1))
	}
	start := ps
	var lineW, inkW float32 // with and without the trailing spaces
	inkEnd := ps
	for i := ps; i < pe; {
		j := i
		for j < pe && !breakable(runes[j]) {
			j++
		}
		ww := m.wordWidth(runes[i:j])
		if j > i && start < i && lineW+ww > width {
			lines = append(lines, textLine{start: start, end: inkEnd, next: i, width: inkW})
			start, lineW = i, 0
		}
		if ww > width && j > i { // a word longer than a line: cut it
			adv := m.advances(runes[i:j], nil)
			var w float32
			from := i
			for k := i; k < j; k++ {
				a := adv[k-i]
				if k > from && w+a > width {
					lines = append(lines, textLine{start: from, end: k, next: k, width: w})
					from, w = k, 0
				}
				w += a
			}
			start, lineW = from, w
		} else {
			lineW += ww
		}
		inkW, inkEnd = lineW, j
		s := j
		for s < pe && breakable(runes[s]) {
			s++
		}
		lineW += m.wordWidth(runes[j:s])
		i = s
	}
	return append(lines, textLine{start: start, end: inkEnd, next: pe, width: inkW})
}
