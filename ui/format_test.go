package ui

import (
	"strings"
	"testing"
	"time"

	"tincan/core/node"
)

func TestClock(t *testing.T) {
	now := time.Date(2025, 3, 14, 18, 0, 0, 0, time.Local)
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{now.Add(-2 * time.Hour), "16:00"},
		{time.Date(2025, 3, 13, 23, 5, 0, 0, time.Local), "Yesterday 23:05"},
		{time.Date(2025, 1, 2, 8, 7, 0, 0, time.Local), "Jan 2, 08:07"},
		{time.Date(2024, 12, 31, 8, 7, 0, 0, time.Local), "Dec 31 2024, 08:07"},
		{time.Time{}, ""},
	} {
		if got := clock(tc.at, now); got != tc.want {
			t.Errorf("clock(%v) = %q, want %q", tc.at, got, tc.want)
		}
	}
}

func TestStateLabelsAndRanks(t *testing.T) {
	for state, want := range map[string]string{
		"queued": "🕓 queued", "sent": "✓ sent", "delivered": "✓✓ delivered", "weird": "weird",
	} {
		if got := stateLabel(state); got != want {
			t.Errorf("stateLabel(%q) = %q", state, got)
		}
	}
	if !(stateRank("queued") < stateRank("sent") && stateRank("sent") < stateRank("delivered")) {
		t.Fatal("states must rank queued < sent < delivered")
	}
}

func TestIncoming(t *testing.T) {
	if !incoming(node.MessageView{Direction: "in"}) || incoming(node.MessageView{Direction: "out"}) {
		t.Fatal("direction in/out misread")
	}
	if !incoming(node.MessageView{State: "received"}) || incoming(node.MessageView{State: "queued"}) {
		t.Fatal("state should decide when direction is missing")
	}
}

func TestReach(t *testing.T) {
	for _, tc := range []struct {
		c    node.ContactView
		want string
	}{
		{node.ContactView{}, "offline"},
		{node.ContactView{Addr: "198.51.100.4:7777"}, "offline · 198.51.100.4:7777"},
		{node.ContactView{Online: true, Path: "direct", Addr: "a:1", Remote: "b:2"}, "direct · b:2"},
		{node.ContactView{Online: true, Path: "direct", Addr: "a:1"}, "direct · a:1"},
		{node.ContactView{Online: true, Path: "none"}, "online"},
	} {
		if got := reach(tc.c); got != tc.want {
			t.Errorf("reach(%+v) = %q, want %q", tc.c, got, tc.want)
		}
	}
}

func TestPreviewAndCleanCard(t *testing.T) {
	if got := preview("  hello\n\nthere  ", 50); got != "hello there" {
		t.Fatalf("preview = %q", got)
	}
	long := strings.Repeat("ä", 200)
	if got := preview(long, 10); got != strings.Repeat("ä", 9)+"…" {
		t.Fatalf("preview = %q", got)
	}
	if got := cleanCard(" tincan:1:AB\r\n CD\t"); got != "tincan:1:ABCD" {
		t.Fatalf("cleanCard = %q", got)
	}
}

func TestCheckContactForm(t *testing.T) {
	for _, tc := range []struct {
		name, card, addr, want string
	}{
		{"Ana", "tincan:1:AB", "", ""},
		{"", "tincan:1:AB", "198.51.100.4:7777", ""},
		{"Ana", "", "", "paste the card"},
		{"Ana", "hello", "", "not a tincan card"},
		{"Ana", "tincan:1:AB", "198.51.100.4", "host:port"},
		{"Ana", "tincan:1:AB", "host:99999", "port must be"},
		{strings.Repeat("n", 65), "tincan:1:AB", "", "too long"},
		{"A\x00", "tincan:1:AB", "", "control characters"},
	} {
		err := checkContactForm(tc.name, tc.card, tc.addr)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("checkContactForm(%q, %q, %q) = %v, want %q", tc.name, tc.card, tc.addr, err, tc.want)
		}
	}
}

func TestSentenceAndGroupHex(t *testing.T) {
	if got := sentence("card is truncated"); got != "Card is truncated." {
		t.Fatalf("sentence = %q", got)
	}
	if got := groupHex(strings.Repeat("ab", 32)); got != strings.Repeat("abab ", 7)+"abab\n"+strings.Repeat("abab ", 7)+"abab" {
		t.Fatalf("groupHex = %q", got)
	}
}

func TestOnlineCount(t *testing.T) {
	cs := []node.ContactView{{Online: true}, {}, {Online: true}}
	if got := onlineCount(cs); got != "2 contacts online" {
		t.Fatal(got)
	}
	if got := onlineCount(cs[:2]); got != "1 contact online" {
		t.Fatal(got)
	}
	if got := onlineCount(cs[1:2]); got != "No contacts online" {
		t.Fatal(got)
	}
	if got := onlineCount(nil); got != "No contacts yet" {
		t.Fatal(got)
	}
}
