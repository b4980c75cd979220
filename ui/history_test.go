package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/core/node"
	"tincan/core/store"
)

// openWired opens the main window with the chat's paging, search and title
// wired (newMain does it once the lead's one-line call is in; then this is
// a no-op).
func openWired(t *testing.T, b *memBackend) (*Main, *pump) {
	t.Helper()
	m, p := open(t, b)
	m.wireChat()
	m.now = func() time.Time { return time.Date(2025, 3, 14, 23, 0, 0, 0, time.Local) }
	return m, p
}

// withHistory is a backend with one contact, Ana, and n messages, both ways.
func withHistory(n int) *memBackend {
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana", Online: true, Path: "direct"})
	b.mu.Lock()
	b.at = time.Date(2025, 3, 1, 8, 0, 0, 0, time.Local)
	for i := range n {
		b.newMessageLocked("Ana", []string{"in", "out"}[i%2], fmt.Sprintf("message %d", i),
			[]string{stateReceived, stateDelivered}[i%2])
	}
	b.mu.Unlock()
	return b
}

// scrollBy is the user turning the wheel (dy > 0 moves up).
func scrollBy(m *Main, dy float32) {
	m.chat.scroll.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.Delta{DY: dy}})
}

// firstShown is the first message whose row is in view, and its top on
// screen.
func firstShown(m *Main) (string, float32) {
	tl := m.chat.tl
	key, delta := tl.anchor()
	return key, delta
}

func TestPagesLoadAsTheUserScrollsUp(t *testing.T) {
	b := withHistory(1000)
	m, p := openWired(t, b)
	m.selectContact("Ana")
	tl := m.chat.tl
	p.until(t, "the newest page shows", func() bool { return len(tl.msgs) == 200 })
	if tl.atStart || !tl.atEnd || tl.msgs[199].Text != "message 999" {
		t.Fatalf("the first load should be the newest 200 messages, got %d ending %q", len(tl.msgs), tl.msgs[len(tl.msgs)-1].Text)
	}
	pages := 0
	bubblesSeen, keysSeen := map[*bubble]bool{}, map[string]bool{}
	record := func() {
		for key, o := range tl.shown {
			if b, ok := o.(*bubble); ok {
				bubblesSeen[b], keysSeen[key] = true, true
			}
		}
	}
	for !tl.atStart {
		record()
		key, delta := firstShown(m)
		before := len(tl.msgs)
		first := tl.msgs[0].ID
		scrollBy(m, tl.scroll.Offset.Y+10) // to the top of what is loaded
		p.until(t, "an older page arrives", func() bool { return tl.msgs[0].ID != first || tl.atStart })
		pages++
		if k, d := firstShown(m); tl.msgs[0].ID != first && (k == key && (d-delta) > 1 || k == "") {
			t.Fatalf("the view jumped when a page arrived: %q at %v, then %q at %v", key, delta, k, d)
		}
		if len(tl.msgs) > windowMax {
			t.Fatalf("the chat holds %d messages, more than its window of %d", len(tl.msgs), windowMax)
		}
		if n := len(m.chat.rows.Objects); n > 80 {
			t.Fatalf("the chat built %d rows for one view", n)
		}
		if pages > 20 {
			t.Fatalf("still not at the first message after %d pages (window of %d from %q)", pages, before, tl.msgs[0].Text)
		}
	}
	if tl.msgs[0].Text != "message 0" {
		t.Fatalf("the top of the conversation is %q, want message 0", tl.msgs[0].Text)
	}
	record()
	// Bubbles scrolled away serve the rows that come into view: memory does
	// not grow with the messages scrolled past (Fyne keeps a widget's
	// renderer for a minute after it goes).
	if len(bubblesSeen) >= len(keysSeen) || len(bubblesSeen) > 80+maxFreeBubbles {
		t.Fatalf("%d bubbles were built for %d messages shown: rows are not reused", len(bubblesSeen), len(keysSeen))
	}
	if tl.atEnd {
		t.Fatal("the window still claims to hold the newest message after 1000 were paged through")
	}
	// Back down: newer pages come back, to the newest message.
	for i := 0; !tl.atEnd; i++ {
		last := tl.msgs[len(tl.msgs)-1].ID
		scrollBy(m, -(tl.total + 10))
		p.until(t, "a newer page arrives", func() bool { return tl.msgs[len(tl.msgs)-1].ID != last || tl.atEnd })
		if i > 20 {
			t.Fatal("the newest message never came back")
		}
	}
	if got := tl.msgs[len(tl.msgs)-1].Text; got != "message 999" {
		t.Fatalf("at the bottom again the last message is %q", got)
	}
}

func TestNewMessageKeepsTheViewWhileReadingOlder(t *testing.T) {
	b := withHistory(150)
	m, p := openWired(t, b)
	m.selectContact("Ana")
	tl := m.chat.tl
	p.until(t, "the history shows", func() bool { return len(tl.msgs) == 150 })
	p.until(t, "the chat is laid out", func() bool { return tl.scroll.Size().Height > 200 })
	scrollBy(m, 600)
	p.settle()
	off := tl.scroll.Offset.Y
	if tl.pinned || off <= 0 {
		t.Fatalf("scrolling up should leave the bottom (offset %v)", off)
	}
	b.receive("Ana", "a fresh message")
	p.until(t, "the New messages button shows", func() bool { return m.chat.newBtn.Visible() })
	if tl.scroll.Offset.Y != off {
		t.Fatalf("a new message moved the view from %v to %v", off, tl.scroll.Offset.Y)
	}
	if m.chat.newBtn.Text != "New messages ↓" {
		t.Fatalf("the button says %q", m.chat.newBtn.Text)
	}
	test.Tap(m.chat.newBtn)
	p.settle()
	if !tl.atBottom() || m.chat.newBtn.Visible() {
		t.Fatal("the button should take the view to the newest message and go away")
	}
	if bub := tl.bubbleFor(tl.msgs[len(tl.msgs)-1].ID); bub == nil || bub.msg.Text != "a fresh message" {
		t.Fatal("the fresh message is not in view at the bottom")
	}
	// At the bottom, a new message follows.
	b.receive("Ana", "and another")
	p.until(t, "the chat follows to the new message", func() bool {
		bub := tl.bubbleFor(tl.msgs[len(tl.msgs)-1].ID)
		return bub != nil && bub.msg.Text == "and another" && tl.atBottom()
	})
	if m.chat.newBtn.Visible() {
		t.Fatal("the button shows although the user was at the bottom")
	}
}

func TestUnreadDividerAtTheFirstUnread(t *testing.T) {
	b := withHistory(120)
	b.mu.Lock()
	for i := range 30 {
		b.newMessageLocked("Ana", "in", fmt.Sprintf("unread %d", i), stateReceived)
	}
	b.contacts[0].Unread = 30
	b.mu.Unlock()
	m, p := openWired(t, b)
	m.selectContact("Ana")
	tl := m.chat.tl
	p.until(t, "the history shows", func() bool { return len(tl.msgs) == 150 })
	p.until(t, "the chat is laid out", func() bool { return tl.scroll.Size().Height > 200 })
	i := -1
	for j, r := range tl.rows {
		if r.kind == rowUnread {
			i = j
		}
	}
	if i < 0 || tl.rows[i+1].kind != rowMessage || tl.msgs[tl.rows[i+1].msg].Text != "unread 0" {
		t.Fatal("the unread divider should stand right above the first unread message")
	}
	top := tl.tops[i]
	if off := tl.scroll.Offset.Y; top < off || top > off+tl.scroll.Size().Height/2 {
		t.Fatalf("the chat should open at the divider (divider at %v, view from %v)", top, off)
	}
	var divider *unreadDivider
	for _, o := range m.chat.rows.Objects {
		if d, ok := o.(*unreadDivider); ok {
			divider = d
		}
	}
	if divider == nil || divider.text.Text != "Unread messages" {
		t.Fatal("the divider is not drawn in view")
	}
	capture(t, m.w, "chat-unread")
	if tl.pinned {
		t.Fatal("the view should stay on the divider, not follow the bottom")
	}
}

func TestUnreadDividerBeyondTheFirstPage(t *testing.T) {
	for _, unread := range []int{500, 1500} {
		t.Run(fmt.Sprint(unread), func(t *testing.T) {
			b := withHistory(300)
			b.mu.Lock()
			for i := range unread {
				b.newMessageLocked("Ana", "in", fmt.Sprintf("unread %d", i), stateReceived)
			}
			b.contacts[0].Unread = unread
			b.mu.Unlock()
			m, p := openWired(t, b)
			m.selectContact("Ana")
			tl := m.chat.tl
			p.until(t, "the chat opens at the unread divider", func() bool {
				_, ok := tl.rowTop("unread")
				return ok && tl.scroll.Size().Height > 200
			})
			p.settle()
			i := -1
			for j, r := range tl.rows {
				if r.kind == rowUnread {
					i = j
				}
			}
			if tl.rows[i+1].kind != rowMessage || tl.msgs[tl.rows[i+1].msg].Text != "unread 0" {
				t.Fatalf("the divider should stand above the first of %d unread messages, not above %q",
					unread, tl.msgs[tl.rows[i+1].msg].Text)
			}
			above := i - 1
			for above > 0 && tl.rows[above].kind != rowMessage {
				above--
			}
			if got := tl.msgs[tl.rows[above].msg].Text; got != "message 299" {
				t.Fatalf("the message above the divider is %q, want the last one read", got)
			}
			if top, off := tl.tops[i], tl.scroll.Offset.Y; top < off || top > off+tl.scroll.Size().Height/2 {
				t.Fatalf("the chat should open at the divider (divider at %v, view from %v)", top, off)
			}
			if len(tl.msgs) > windowMax {
				t.Fatalf("the chat holds %d messages, more than its window of %d", len(tl.msgs), windowMax)
			}
			if tl.pinned {
				t.Fatal("the view should stay on the divider, not follow the bottom")
			}
			// Down to the newest message: the pages below come back.
			for k := 0; !tl.atEnd; k++ {
				last := tl.msgs[len(tl.msgs)-1].ID
				scrollBy(m, -(tl.total + 10))
				p.until(t, "a newer page arrives", func() bool { return tl.msgs[len(tl.msgs)-1].ID != last || tl.atEnd })
				if k > 30 {
					t.Fatal("the newest message never came")
				}
			}
			if got := tl.msgs[len(tl.msgs)-1].Text; got != fmt.Sprintf("unread %d", unread-1) {
				t.Fatalf("at the bottom the last message is %q", got)
			}
		})
	}
}

func TestGroupedTimesAndDaySeparators(t *testing.T) {
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana", Online: true, Path: "direct"})
	b.mu.Lock()
	b.at = time.Date(2025, 3, 13, 20, 0, 0, 0, time.Local) // yesterday
	b.newMessageLocked("Ana", "in", "yesterday one", stateReceived)
	b.at = time.Date(2025, 3, 14, 9, 0, 0, 0, time.Local) // today
	b.newMessageLocked("Ana", "out", "first", stateDelivered)
	b.newMessageLocked("Ana", "out", "second", stateDelivered)
	b.newMessageLocked("Ana", "out", "third", stateSent)
	b.at = b.at.Add(10 * time.Minute)
	b.newMessageLocked("Ana", "out", "later", stateDelivered)
	b.mu.Unlock()
	m, p := openWired(t, b)
	m.now = func() time.Time { return time.Date(2025, 3, 14, 18, 0, 0, 0, time.Local) }
	m.selectContact("Ana")
	p.until(t, "the history shows", func() bool { return len(bubbles(m)) == 5 })
	var days []string
	for _, o := range m.chat.rows.Objects {
		if d, ok := o.(*daySeparator); ok {
			days = append(days, d.text.Text)
		}
	}
	if strings.Join(days, ",") != "Yesterday,Today" {
		t.Fatalf("day separators %q, want Yesterday then Today", days)
	}
	capture(t, m.w, "chat-grouped")
	want := map[string]string{
		"yesterday one": "20:01",
		"first":         "",               // grouped, delivered: the group's last says it
		"second":        "",               //
		"third":         "09:03   ✓ sent", // the group's last: its time and state
		"later":         "09:14   ✓✓ delivered",
	}
	for _, bs := range bubbles(m) {
		if bs[1] != want[bs[0]] {
			t.Errorf("bubble %q shows %q under it, want %q", bs[0], bs[1], want[bs[0]])
		}
	}
}

func TestCopyPutsTheMessageOnTheClipboard(t *testing.T) {
	b := withHistory(1)
	m, p := openWired(t, b)
	m.selectContact("Ana")
	p.until(t, "the message shows", func() bool { return len(bubbles(m)) == 1 })
	bub := shown[*bubble](m.w)[0]
	clip := fyne.CurrentApp().Clipboard()
	clip.SetContent("what was there")
	bub.text.TappedSecondary(&fyne.PointEvent{AbsolutePosition: fyne.NewPos(300, 200)})
	menu := bub.menu()
	if len(m.w.Canvas().Overlays().List()) == 0 {
		t.Fatal("a right click on a message shows no menu")
	}
	if menu.Items[0].Label != "Copy" {
		t.Fatalf("the message menu starts with %q, want Copy", menu.Items[0].Label)
	}
	menu.Items[0].Action()
	if got := clip.Content(); got != "message 0" {
		t.Fatalf("Copy with nothing selected put %q on the clipboard, want the message", got)
	}
	// A double click selects a word (the click goes through to the text);
	// Copy then copies only that.
	bub.text.DoubleTapped(&fyne.PointEvent{Position: fyne.NewPos(theme.InnerPadding()+4, theme.InnerPadding()+4)})
	if sel := bub.text.SelectedText(); sel != "message" {
		t.Fatalf("a double click on the first word selected %q", sel)
	}
	bub.menu().Items[0].Action()
	if got := clip.Content(); got != "message" {
		t.Fatalf("Copy with a word selected put %q on the clipboard", got)
	}
}

func TestLinksOpenAfterTheUserSeesTheAddress(t *testing.T) {
	if got := findLinks("see https://example.org/a?b=1, and http://x.test."); strings.Join(got, " ") != "https://example.org/a?b=1 http://x.test" {
		t.Fatalf("links found: %q", got)
	}
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana", Online: true, Path: "direct"})
	b.history("Ana", "in", "look: https://example.org/page", stateReceived)
	m, p := openWired(t, b)
	m.selectContact("Ana")
	p.until(t, "the message shows", func() bool { return len(bubbles(m)) == 1 })
	bub := shown[*bubble](m.w)[0]
	if len(bub.links.urls) != 1 || !bub.links.Visible() {
		t.Fatal("the bubble offers no link")
	}
	before := len(m.w.Canvas().Overlays().List())
	bub.onLink(bub.links.urls[0])
	if len(m.w.Canvas().Overlays().List()) != before+1 {
		t.Fatal("tapping a link should ask first, in a dialog")
	}
	var full bool
	for _, l := range shown[*widget.Label](m.w) {
		if l.Text == "https://example.org/page" {
			full = true
		}
	}
	if !full {
		t.Fatal("the dialog should show the whole address")
	}
}

func TestTooLongMessageInWords(t *testing.T) {
	if maxMessageBytes != store.MaxBody {
		t.Fatalf("the composer's limit %d differs from the store's %d", maxMessageBytes, store.MaxBody)
	}
	b := withHistory(0)
	m, p := openWired(t, b)
	m.selectContact("Ana")
	p.settle()
	e := m.chat.entry
	e.SetText(strings.Repeat("a", 15000))
	if !e.counter.Visible() || e.counter.Text != "15,000 / 16,384" {
		t.Fatalf("near the limit the counter says %q (shown %v)", e.counter.Text, e.counter.Visible())
	}
	e.SetText(strings.Repeat("a", 100))
	if e.counter.Visible() {
		t.Fatal("a short message should show no counter")
	}
	e.SetText(strings.Repeat("a", 18000))
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	p.settle()
	if want := "This message is too long (18,000 characters; the limit is 16,384)"; e.counter.Text != want {
		t.Fatalf("a too-long message says %q, want %q", e.counter.Text, want)
	}
	if len(b.msgs["Ana"]) != 0 || len(e.Text) != 18000 {
		t.Fatal("a too-long message should be neither sent nor cleared")
	}
	if got := plainWords(fmt.Errorf("enqueue for contact 1: %w", store.ErrMessageTooLong)); strings.Contains(got, "contact 1") || strings.Contains(got, "enqueue") {
		t.Fatalf("the error words show internals: %q", got)
	}
}

func TestSearchOpensTheConversationAtTheHit(t *testing.T) {
	b := withHistory(600)
	b.mu.Lock()
	b.msgs["Ana"][150].Text = "the penguin parade"
	hitID := b.msgs["Ana"][150].ID
	b.mu.Unlock()
	b.addContact(node.ContactView{Name: "Bo"})
	m, p := openWired(t, b)
	m.selectContact("Bo")
	p.settle()
	m.showSearch()
	s := m.chat.search
	if s == nil {
		t.Fatal("Ctrl+F's search did not open")
	}
	test.Type(s.entry, "pengu")
	p.until(t, "the hit is listed", func() bool { return len(s.hits) == 1 })
	capture(t, m.w, "search")
	s.list.Select(0)
	tl := m.chat.tl
	p.until(t, "Ana's chat opens at the hit", func() bool {
		return m.selected == "Ana" && tl.bubbleFor(hitID) != nil && tl.scroll.Size().Height > 200
	})
	top, _ := tl.rowTop("m:" + hitID)
	if off := tl.scroll.Offset.Y; top < off || top > off+tl.scroll.Size().Height {
		t.Fatalf("the hit is not in view (at %v, view from %v)", top, off)
	}
	if m.chat.search != nil {
		t.Fatal("the search should close when a hit is chosen")
	}
}

func TestBubbleTextContrast(t *testing.T) {
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		test.NewTempApp(t)
		fyne.CurrentApp().Settings().SetTheme(variant{theme.DefaultTheme(), v})
		for _, tc := range []struct {
			out   bool
			state string
		}{{true, stateQueued}, {true, stateSent}, {true, stateDelivered}, {false, stateReceived}} {
			fill, meta := bubbleColors(tc.out, tc.state)
			if c := contrast(meta, fill); c < wcagAA {
				t.Errorf("the %s bubble's time (%s) has a contrast of %.2f:1 in variant %v, below 4.5:1",
					map[bool]string{true: "outgoing", false: "incoming"}[tc.out], tc.state, c, v)
			}
			if c := contrast(theme.Color(theme.ColorNameForeground), fill); c < wcagAA {
				t.Errorf("bubble text has a contrast of %.2f:1 in variant %v", c, v)
			}
		}
	}
}

func TestContactListShowsLastMessageMostRecentFirst(t *testing.T) {
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana"})
	b.addContact(node.ContactView{Name: "Bo"})
	b.history("Ana", "in", "old news", stateReceived)
	b.history("Bo", "out", "newer", stateDelivered)
	m, p := openWired(t, b)
	names := func() string {
		var out []string
		for _, c := range m.contacts.items {
			out = append(out, c.Name)
		}
		return strings.Join(out, ",")
	}
	p.until(t, "Bo comes first", func() bool { return names() == "Bo,Ana" })
	if got := lastShown(m, "Bo"); got != "You: newer" {
		t.Fatalf("Bo's row shows %q under the name", got)
	}
	b.receive("Ana", "hello again")
	p.until(t, "Ana moves up", func() bool { return names() == "Ana,Bo" && lastShown(m, "Ana") == "hello again" })
	p.until(t, "the title counts the unread message", func() bool { return m.w.Title() == "tincan (1 unread)" })
}

// lastShown is the last-message line the list shows for name.
func lastShown(m *Main, name string) string {
	for _, r := range shown[*contactRow](m.w) {
		if r.name.Text == name {
			return r.last.Text()
		}
	}
	return "(no row for " + name + ")"
}
