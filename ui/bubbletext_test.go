package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

func TestWrapTextKeepsEveryRuneAndFitsTheWidth(t *testing.T) {
	test.NewTempApp(t)
	m := measurerFor(theme.TextSize(), fyne.TextStyle{})
	for _, tc := range []struct {
		text  string
		width float32
	}{
		{"", 100},
		{"one", 100},
		{"the quick brown fox jumps over the lazy dog", 120},
		{"first line\n\nthird line after an empty one\n", 90},
		{"https://example.org/a/very/long/address/with/no/spaces/in/it/at/all", 80},
		{"tabs\tand  double  spaces   stay", 60},
		{"Grüße, привет, مرحبا بالعالم, 你好世界, नमस्ते", 70},
		{"emoji 🎉👍🏽 and a family 👨‍👩‍👧 here", 60},
	} {
		runes := []rune(tc.text)
		lines := wrapText(m, runes, tc.width, true)
		if len(lines) == 0 {
			t.Fatalf("%q gives no lines", tc.text)
		}
		at := 0
		for i, l := range lines {
			if l.start != at || l.end < l.start || l.next < l.end {
				t.Fatalf("%q: line %d is runes %d..%d (next %d), want it to start at %d", tc.text, i, l.start, l.end, l.next, at)
			}
			if got := m.wordWidth(runes[l.start:l.end]); l.end-l.start > 1 && got > tc.width+0.01 {
				t.Errorf("%q: line %d %q is %.1f wide, more than %.1f", tc.text, i, string(runes[l.start:l.end]), got, tc.width)
			}
			if strings.ContainsRune(string(runes[l.start:l.end]), '\n') {
				t.Errorf("%q: line %d holds a newline", tc.text, i)
			}
			at = l.next
		}
		if at != len(runes) {
			t.Errorf("%q: the lines end at rune %d of %d", tc.text, at, len(runes))
		}
		if want := strings.Count(tc.text, "\n") + 1; len(lines) < want {
			t.Errorf("%q: %d lines for %d paragraphs", tc.text, len(lines), want)
		}
	}
}

func TestMeasuredWidthIsCloseToFyne(t *testing.T) {
	test.NewTempApp(t)
	m := measurerFor(theme.TextSize(), fyne.TextStyle{})
	for _, s := range []string{"the quick brown fox jumps over the lazy dog", "Message 12345: WAVE To, AV", "مرحبا بالعالم", "你好世界"} {
		ours := m.wordWidth([]rune(s))
		fyneW := fyne.MeasureText(s, theme.TextSize(), fyne.TextStyle{}).Width
		// Kerning only narrows drawn text, so lines broken by our measure
		// always fit; they should not be much shorter than they could be.
		if ours < fyneW-0.5 || ours > fyneW*1.05+1 {
			t.Errorf("%q measures %.1f, Fyne draws it %.1f wide", s, ours, fyneW)
		}
	}
}

func TestSelectingTextInABubble(t *testing.T) {
	b := withHistory(0)
	b.history("Ana", "in", "alpha beta gamma\nsecond line here", stateReceived)
	m, p := openWired(t, b)
	m.selectContact("Ana")
	p.until(t, "the message shows", func() bool { return len(bubbles(m)) == 1 })
	bub := shown[*bubble](m.w)[0]
	txt := bub.text
	lh := txt.measurer().lineHeight()
	inner := theme.InnerPadding()

	// A drag from the start of the first line into the second selects
	// across the line break.
	from := fyne.NewPos(inner+1, inner+lh/2)
	to := fyne.NewPos(inner+txt.measurer().wordWidth([]rune("second")), inner+lh*1.5)
	txt.MouseDown(click(from))
	txt.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: to}, Dragged: fyne.NewDelta(to.X-from.X, to.Y-from.Y)})
	txt.DragEnd()
	if got := txt.SelectedText(); got != "alpha beta gamma\nsecond" {
		t.Fatalf("a drag over one and a half lines selected %q", got)
	}
	if len(txt.objs) <= len(txt.lines) {
		t.Fatal("the selection is not highlighted")
	}
	// The right-click menu's Copy copies the selection, not the message.
	clip := fyne.CurrentApp().Clipboard()
	clip.SetContent("")
	txt.TappedSecondary(&fyne.PointEvent{AbsolutePosition: fyne.NewPos(300, 200)})
	bub.menu().Items[0].Action()
	if got := clip.Content(); got != "alpha beta gamma\nsecond" {
		t.Fatalf("Copy with a selection put %q on the clipboard", got)
	}
	// Ctrl+C copies it too.
	clip.SetContent("")
	txt.TypedShortcut(&fyne.ShortcutCopy{Clipboard: clip})
	if got := clip.Content(); got != "alpha beta gamma\nsecond" {
		t.Fatalf("Ctrl+C put %q on the clipboard", got)
	}
	// A click drops the selection; a double click on "gamma" selects it.
	txt.MouseDown(click(from))
	if txt.SelectedText() != "" {
		t.Fatal("a click should drop the selection")
	}
	x := inner + txt.measurer().wordWidth([]rune("alpha beta g"))
	txt.DoubleTapped(&fyne.PointEvent{Position: fyne.NewPos(x, inner+lh/2)})
	if got := txt.SelectedText(); got != "gamma" {
		t.Fatalf("a double click on gamma selected %q", got)
	}
	// Another message in the same bubble starts with nothing selected.
	other := b.msgs["Ana"][0]
	other.ID, other.Text = "other", "something else"
	bub.show(other, "")
	if txt.SelectedText() != "" {
		t.Fatal("a reused bubble keeps the selection of the message before")
	}
}

// click is a primary mouse button press at p.
func click(p fyne.Position) *desktop.MouseEvent {
	return &desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: p}, Button: desktop.MouseButtonPrimary}
}
