package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"tincan/core/node"
)

// previewRow is the contact row shown for name, or nil.
func previewRow(m *Main, name string) *previewText {
	for _, r := range shown[*contactRow](m.w) {
		if r.name.Text == name {
			return r.last
		}
	}
	return nil
}

// checkPreviewFits fails unless every object the preview draws lies
// within its width and height, and each emoji picture is the caption
// text's size.
func checkPreviewFits(t *testing.T, p *previewText, what string) {
	t.Helper()
	size := p.Size()
	if size.Width <= 0 {
		t.Fatalf("%s: the preview has no width", what)
	}
	ts := theme.CaptionTextSize()
	for _, o := range p.objs {
		pos, s := o.Position(), o.Size()
		if pos.X < 0 || pos.X+s.Width > size.Width+0.5 || pos.Y < 0 || pos.Y+s.Height > size.Height+0.5 {
			t.Errorf("%s: an object at %v, %v big, is outside the preview's %v", what, pos, s, size)
		}
	}
	for _, img := range p.pics[:p.nPic] {
		if s := img.Size(); s.Width != ts || s.Height != ts {
			t.Errorf("%s: an emoji is drawn %vx%v, want the caption text size %v", what, s.Width, s.Height, ts)
		}
		if !colourful(img.Image) {
			t.Errorf("%s: an emoji picture has no colour", what)
		}
	}
}

// The last-message line draws emoji as pictures at its text size, within
// the row at every width, cuts a long line with an ellipsis, keeps a line
// without emoji as plain text, and lays nothing out again while nothing
// changes.
func TestContactPreviewDrawsEmojiAtTextSize(t *testing.T) {
	b := newMemBackend("Sam")
	b.addContact(node.ContactView{Name: "Ana"})
	b.addContact(node.ContactView{Name: "Bo"})
	b.addContact(node.ContactView{Name: "Chris"})
	b.history("Chris", "in", "Plain words only, nothing else here", stateReceived)
	b.history("Bo", "in", "🎉 "+strings.Repeat("a long party message with 🎈 in it ", 3), stateReceived)
	b.history("Ana", "out", "Cake 🎂 ok 👍🏽", stateDelivered)
	m, p := openWired(t, b)
	for _, tc := range []struct {
		at   string
		size fyne.Size
	}{{"920x620", fyne.NewSize(920, 620)}, {"480x360", fyne.NewSize(480, 360)}} {
		size := tc.size
		what := func(name string) string { return name + "'s preview at " + tc.at }
		m.w.Resize(size)
		p.settle()

		ana := previewRow(m, "Ana")
		if ana == nil || ana.Text() != "You: Cake 🎂 ok 👍🏽" {
			t.Fatalf("at %s Ana's row should preview her last message", tc.at)
		}
		if !ana.emoji || ana.nPic != 2 {
			t.Fatalf("%s: Ana's preview draws %d emoji pictures, want 2", what("Ana"), ana.nPic)
		}
		checkPreviewFits(t, ana, what("Ana"))
		if ana.pics[0].Position().X >= ana.pics[1].Position().X {
			t.Errorf("%s: the emoji are not in the text's order", what("Ana"))
		}
		if ana.nText != 2 || strings.HasSuffix(ana.texts[ana.nText-1].Text, "…") {
			t.Errorf("%s: a short line should be two runs of text, uncut", what("Ana"))
		}

		bo := previewRow(m, "Bo")
		if bo == nil || bo.nPic == 0 || bo.nText == 0 {
			t.Fatalf("%s: the long preview draws no emoji or no text", what("Bo"))
		}
		checkPreviewFits(t, bo, what("Bo"))
		if end := bo.texts[bo.nText-1]; !strings.HasSuffix(end.Text, "…") {
			t.Errorf("%s: the long line ends with %q, not an ellipsis", what("Bo"), end.Text)
		} else if edge := end.Position().X + end.Size().Width; edge < bo.Size().Width-2*theme.InnerPadding()-theme.CaptionTextSize()*2 {
			t.Errorf("%s: the cut line ends at %v, far short of the row's width %v", what("Bo"), edge, bo.Size().Width)
		}

		chris := previewRow(m, "Chris")
		if chris == nil || chris.emoji || len(chris.objs) != 1 || chris.objs[0] != chris.plain || chris.plain.Text() != chris.Text() {
			t.Errorf("%s: a line without emoji should be drawn as plain text", what("Chris"))
		}
		if ana.MinSize().Height != chris.MinSize().Height {
			t.Errorf("at %s a line with emoji is %v high, one without %v", tc.at, ana.MinSize().Height, chris.MinSize().Height)
		}

		r := ana.CreateRenderer()
		allocs := testing.AllocsPerRun(20, func() { r.Layout(ana.Size()) })
		if allocs != 0 {
			t.Errorf("%s: laying out an unchanged preview allocates %v times", what("Ana"), allocs)
		}
		capture(t, m.w, "contacts-emoji-"+tc.at)
	}
}
