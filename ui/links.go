package ui

import (
	"net/url"
	"regexp"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// maxLinks is how many links a bubble offers under its text.
const maxLinks = 3

// linkPattern finds web addresses in message text.
var linkPattern = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"']+`)

// findLinks returns the http and https addresses in text (at most
// maxLinks), without trailing punctuation that ends a sentence.
func findLinks(text string) []string {
	var out []string
	for _, s := range linkPattern.FindAllString(text, -1) {
		s = strings.TrimRight(s, ".,;:!?)]}’”")
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			continue
		}
		out = append(out, s)
		if len(out) == maxLinks {
			break
		}
	}
	return out
}

// linkList is the links found in a bubble's text, one clickable line each.
type linkList struct {
	widget.BaseWidget
	urls  []string
	pool  []*widget.Hyperlink // up to maxLinks, reused
	box   *fyne.Container
	onTap func(url string)
}

func newLinkList(onTap func(string)) *linkList {
	l := &linkList{box: container.NewVBox(), onTap: onTap}
	l.ExtendBaseWidget(l)
	return l
}

// set shows urls ("" none).
func (l *linkList) set(urls []string) {
	if strings.Join(urls, "\n") == strings.Join(l.urls, "\n") {
		return
	}
	l.urls = urls
	l.box.Objects = l.box.Objects[:0]
	for i, u := range urls {
		// The hyperlinks stay with the bubble for the next message it
		// shows, as its text lines do.
		if i == len(l.pool) {
			h := widget.NewHyperlink("", nil)
			h.Truncation = fyne.TextTruncateEllipsis
			l.pool = append(l.pool, h)
		}
		h := l.pool[i]
		h.OnTapped = func() { l.onTap(u) }
		h.SetText(linkLabel(u))
		l.box.Objects = append(l.box.Objects, h)
	}
	l.box.Refresh()
}

// height is the list's height (0 with no links).
func (l *linkList) height() float32 {
	if len(l.urls) == 0 {
		return 0
	}
	return l.box.MinSize().Height - theme.InnerPadding()/2
}

// naturalWidth is the width the links' words need.
func (l *linkList) naturalWidth() float32 {
	var w float32
	for _, u := range l.urls {
		w = max(w, fyne.MeasureText(linkLabel(u), theme.TextSize(), fyne.TextStyle{}).Width+3*theme.InnerPadding())
	}
	return w
}

func (l *linkList) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(l.box) }

// linkLabel is a link's words under the text: "🔗 " and the address
// without its scheme.
func linkLabel(u string) string {
	s := u
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	return "Open " + s
}

// confirmLink asks before opening u in the system browser, showing the
// whole address; open runs if the user agrees.
func confirmLink(w fyne.Window, u string, open func(*url.URL)) {
	parsed, err := url.Parse(u)
	if err != nil {
		dialog.ShowInformation("Cannot open this link", "This address is not one tincan can open.", w)
		return
	}
	addr := widget.NewLabel(u)
	addr.Wrapping = fyne.TextWrapBreak
	addr.Selectable = true
	body := container.NewVBox(widget.NewLabel("This opens the address below in your web browser:"), addr)
	d := dialog.NewCustomConfirm("Open link?", "Open", "Cancel", body, func(ok bool) {
		if ok {
			open(parsed)
		}
	}, w)
	d.Resize(fyne.NewSize(min(w.Canvas().Size().Width-40, 460), 0))
	d.Show()
}
