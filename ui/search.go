package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/core/node"
)

// searchLimit is how many hits a search shows.
const searchLimit = 200

// searchView is the search over all conversations (Ctrl+F): a box for the
// words and the messages found, newest first; choosing one opens its
// conversation at that message.
type searchView struct {
	m      *Main
	entry  *widget.Entry
	status *quietText
	list   *widget.List
	hits   []node.MessageView
	asked  int // searches started, to drop stale answers
	dialog dialog.Dialog
}

// showSearch opens the search (or focuses it if open).
func (m *Main) showSearch() {
	if m.chat.search != nil {
		m.w.Canvas().Focus(m.chat.search.entry)
		return
	}
	s := &searchView{m: m}
	s.entry = widget.NewEntry()
	s.entry.SetPlaceHolder("Search all conversations…")
	s.entry.OnChanged = func(string) { s.run() }
	s.entry.OnSubmitted = func(string) { s.choose(0) }
	s.status = newQuietText("Type a word to find it in every conversation.", theme.SizeNameCaptionText, fyne.TextAlignLeading)
	s.list = widget.NewList(func() int { return len(s.hits) },
		func() fyne.CanvasObject { return newSearchRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(s.hits) {
				o.(*searchRow).set(s.hits[id], s.entry.Text, m.now())
			}
		})
	s.list.OnSelected = func(id widget.ListItemID) { s.choose(id) }
	body := container.NewBorder(container.NewVBox(s.entry, s.status), nil, nil, nil, s.list)
	s.dialog = dialog.NewCustom("Search", "Close", body, m.w)
	s.dialog.SetOnClosed(func() { m.chat.search = nil })
	size := m.w.Canvas().Size()
	s.dialog.Resize(fyne.NewSize(min(size.Width-40, 560), min(size.Height-40, 480)))
	m.chat.search = s
	s.dialog.Show()
	m.w.Canvas().Focus(s.entry)
}

// run searches for what the box holds, off the UI goroutine.
func (s *searchView) run() {
	s.asked++
	n, q := s.asked, s.entry.Text
	if strings.TrimSpace(q) == "" {
		s.show(nil, "Type a word to find it in every conversation.")
		return
	}
	s.m.work.background(func(ctx context.Context) func() {
		hits, err := s.m.b.Search(ctx, q, searchLimit)
		return func() {
			if n != s.asked || s.m.chat.search != s {
				return
			}
			switch {
			case err != nil:
				s.show(nil, plainWords(err))
			case len(hits) == 0:
				s.show(nil, "No message has these words.")
			case len(hits) == 1:
				s.show(hits, "1 message")
			case len(hits) >= searchLimit:
				s.show(hits, "The newest "+thousands(len(hits))+" messages")
			default:
				s.show(hits, thousands(len(hits))+" messages")
			}
		}
	})
}

func (s *searchView) show(hits []node.MessageView, status string) {
	s.hits = hits
	s.status.SetText(status)
	s.list.UnselectAll()
	s.list.Refresh()
	s.list.ScrollToTop()
}

// choose opens the conversation at hit i and closes the search.
func (s *searchView) choose(i int) {
	if i < 0 || i >= len(s.hits) {
		return
	}
	hit := s.hits[i]
	s.dialog.Hide()
	s.m.chat.search = nil
	s.m.openAt(hit)
}

// openAt opens hit's conversation with the pages around hit, hit at the top.
func (m *Main) openAt(hit node.MessageView) {
	name := hit.Contact
	m.selectContact(name)
	if m.selected != name {
		return
	}
	m.historyAsked++ // the newest page selectContact asked for is not wanted
	n := m.historyAsked
	half := pageSize / 2
	m.work.background(func(ctx context.Context) func() {
		before, err := m.b.HistoryBefore(ctx, name, hit.ID, half)
		if err != nil {
			return func() { showPlainError(m.w, "Could not open the message", err) }
		}
		after, err := m.b.HistoryAfter(ctx, name, hit.ID, half)
		if err != nil {
			return func() { showPlainError(m.w, "Could not open the message", err) }
		}
		return func() {
			if m.selected != name || m.historyAsked != n {
				return
			}
			msgs := append(append(before, hit), after...)
			m.chat.showAround(msgs, hit.ID, len(before) < half, len(after) < half)
		}
	})
}

// searchRow is one hit: who and when, and the words around the match.
type searchRow struct {
	widget.BaseWidget
	who  *widget.Label
	when *quietText
	text *widget.Label
}

func newSearchRow() *searchRow {
	r := &searchRow{who: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		when: newQuietText("", theme.SizeNameCaptionText, fyne.TextAlignTrailing), text: widget.NewLabel("")}
	r.text.Truncation = fyne.TextTruncateEllipsis
	r.ExtendBaseWidget(r)
	return r
}

func (r *searchRow) set(m node.MessageView, query string, now time.Time) {
	who := m.Contact
	if !incoming(m) {
		who = "You to " + m.Contact
	}
	r.who.SetText(who)
	r.when.SetText(dayWords(msgTime(m), now) + " " + msgTime(m).Local().Format("15:04"))
	r.text.SetText(snippet(m.Text, query, 90))
}

func (r *searchRow) CreateRenderer() fyne.WidgetRenderer {
	top := container.NewBorder(nil, nil, nil, r.when, r.who)
	return widget.NewSimpleRenderer(container.New(layout.NewCustomPaddedVBoxLayout(-theme.Padding()*2), top, r.text))
}

// snippet is one line of text around the first word of query found in it,
// at most n characters.
func snippet(text, query string, n int) string {
	flat := strings.Join(strings.Fields(text), " ")
	r := []rune(flat)
	if len(r) <= n {
		return flat
	}
	at := -1
	lower := strings.ToLower(flat)
	for _, w := range strings.Fields(strings.ToLower(query)) {
		if i := strings.Index(lower, w); i >= 0 {
			at = len([]rune(lower[:i]))
			break
		}
	}
	start := max(0, at-n/3)
	if at < 0 {
		start = 0
	}
	end := min(len(r), start+n)
	out := strings.TrimSpace(string(r[start:end]))
	if start > 0 {
		out = "…" + out
	}
	if end < len(r) {
		out += "…"
	}
	return out
}
