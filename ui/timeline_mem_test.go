package ui

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"tincan/core/node"
)

// liveHeap is the Go heap in live objects, after a collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// memConversation is how long the conversation of the heap test is: long
// enough that a few hundred bytes kept per message scrolled past shows
// above the bound, short enough for the race detector.
const memConversation = 12000

// heapBound is how much the live heap may grow while scrolling through
// memConversation messages. Measured: about 1 MiB; it was 31 MiB when
// bubbles wrapped their text with a widget.Label, every substring of which
// measured while wrapping Fyne keeps for a minute.
const heapBound = 6 << 20

// longHistory is a backend with one contact, Ana, and n messages both ways
// of one to five lines at the test window's width.
func longHistory(n int) *memBackend {
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana", Online: true, Path: "direct"})
	b.mu.Lock()
	defer b.mu.Unlock()
	b.at = time.Date(2025, 3, 1, 8, 0, 0, 0, time.Local)
	for i := range n {
		text := fmt.Sprintf("message %d: %s", i, strings.Repeat("the quick brown fox jumps over the lazy dog ", 1+i%5))
		b.newMessageLocked("Ana", []string{"in", "out"}[i%2], text, []string{stateReceived, stateDelivered}[i%2])
	}
	return b
}

func TestScrollingALongConversationKeepsTheHeapFlat(t *testing.T) {
	b := longHistory(memConversation)
	m, p := openWired(t, b)
	m.selectContact("Ana")
	tl := m.chat.tl
	p.until(t, "the newest page shows", func() bool { return len(tl.msgs) == 200 })
	p.until(t, "the chat is laid out", func() bool { return tl.scroll.Size().Height > 200 })
	p.settle()
	base := liveHeap()
	screens := 0
	for top := false; !top; screens++ {
		_, _, top = m.ScrollChatScreenUp()
		if m.chat.loadingOlder {
			p.until(t, "an older page arrives", func() bool { return !m.chat.loadingOlder })
		}
		if screens > 40*memConversation/pageSize {
			t.Fatalf("the first message is not in view after %d screens (the window starts at %q)", screens, tl.msgs[0].Text)
		}
	}
	if !strings.HasPrefix(tl.msgs[0].Text, "message 0:") {
		t.Fatalf("the top of the conversation is %q, want message 0", tl.msgs[0].Text)
	}
	after := liveHeap()
	growth := int64(after) - int64(base)
	t.Logf("live heap %.1f MiB with the first page, %.1f MiB after %d screens up through %d messages",
		float64(base)/(1<<20), float64(after)/(1<<20), screens, memConversation)
	if growth > heapBound {
		t.Fatalf("scrolling through %d messages grew the live heap by %.1f MiB, more than %.0f MiB: "+
			"something keeps what each message needed", memConversation, float64(growth)/(1<<20), float64(heapBound)/(1<<20))
	}
}
