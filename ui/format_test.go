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
		{node.ContactView{Online: true, Path: "punched-tcp", Remote: "203.0.113.9:7777"}, "hole-punched (TCP) · 203.0.113.9:7777"},
		{node.ContactView{Online: true, Path: "punched-udp", Remote: "203.0.113.9:7777"}, "hole-punched (UDP) · 203.0.113.9:7777"},
		{node.ContactView{Online: true, Path: "mapped", Remote: "203.0.113.9:40001"}, "through a router's mapped port · 203.0.113.9:40001"},
		{node.ContactView{Online: true, Path: "relay", Relay: "198.18.1.5:7448", Remote: "198.18.1.5:7448"}, "relay via 198.18.1.5:7448"},
		{node.ContactView{Online: true, Path: "relay"}, "relay"},
		{node.ContactView{Online: true, Path: "carrier-pigeon"}, "carrier-pigeon"},
		{node.ContactView{Path: "none", Addr: "a:1", RelayConsent: "asked"}, "offline · waiting for your answer about a relay"},
		{node.ContactView{Path: "none", RelayConsent: "denied"}, "offline · you declined a relay"},
		{node.ContactView{Path: "none", Addr: "a:1", RelayConsent: "allowed"}, "offline · a:1"},
		{node.ContactView{Online: true, Path: "direct", Remote: "b:2", RelayConsent: "asked"}, "direct · b:2"},
		{node.ContactView{Revoked: true, Online: true, Path: "relay"}, "revoked · can no longer reach you"},
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

func TestNATWords(t *testing.T) {
	for _, tc := range []struct {
		nat        *node.NATStatus
		want, help string
	}{
		{nil, "Not detected yet", ""},
		{&node.NATStatus{Type: "none"}, "No NAT (public address)", "directly"},
		{&node.NATStatus{Type: "full-cone"}, "Full-cone NAT", "usually connect to you directly"},
		{&node.NATStatus{Type: "address-restricted"}, "Address-restricted NAT", "hole punching"},
		{&node.NATStatus{Type: "port-restricted"}, "Port-restricted NAT", "hole punching"},
		{&node.NATStatus{Type: "symmetric"}, "Symmetric NAT", "relay may be needed"},
		{&node.NATStatus{Type: "unknown"}, "Unknown", ""},
	} {
		if got := natWords(tc.nat); got != tc.want {
			t.Errorf("natWords(%+v) = %q, want %q", tc.nat, got, tc.want)
		}
		if got := natHelp(tc.nat); tc.help == "" && got != "" || !strings.Contains(got, tc.help) {
			t.Errorf("natHelp(%+v) = %q, want it to say %q", tc.nat, got, tc.help)
		}
	}
}

func TestExternalAddrAndMappedPorts(t *testing.T) {
	nat := &node.NATStatus{Type: "port-restricted", External: "203.0.113.7:41000",
		Mapped: []string{"udp 7777", "tcp 7777"}}
	ov := &node.OverlayStatus{Observed: []string{"198.51.100.2:7777", "198.51.100.3:7777"}}
	for _, tc := range []struct {
		st   node.Status
		want string
	}{
		{node.Status{NAT: nat, Overlay: ov}, "203.0.113.7:41000"},
		{node.Status{NAT: &node.NATStatus{Type: "unknown"}, Overlay: ov}, "198.51.100.2:7777"},
		{node.Status{Overlay: ov}, "198.51.100.2:7777"},
		{node.Status{Overlay: &node.OverlayStatus{}}, "unknown"},
		{node.Status{}, "unknown"},
	} {
		if got := externalAddr(tc.st); got != tc.want {
			t.Errorf("externalAddr = %q, want %q", got, tc.want)
		}
	}
	if got := mappedPorts(nat); got != "udp 7777, tcp 7777" {
		t.Errorf("mappedPorts = %q", got)
	}
	if mappedPorts(nil) != "none" || mappedPorts(&node.NATStatus{}) != "none" {
		t.Error("no mappings should read none")
	}
}

func TestPolicyChoicesRoundTrip(t *testing.T) {
	for _, p := range []string{node.RelaysAsk, node.RelaysAlways, node.RelaysNever} {
		if got := policyOf(policyLabel(p)); got != p {
			t.Errorf("policy %q shows as %q and reads back as %q", p, policyLabel(p), got)
		}
	}
	if policyLabel("") != "Ask each time" || policyOf("Sometimes") != "" {
		t.Error("an unknown policy should show as the default and an unknown label as none")
	}
}

func TestRelayStatsWords(t *testing.T) {
	for n, want := range map[uint64]string{
		0: "0 B", 999: "999 B", 1000: "1.0 kB", 14_230_000: "14.2 MB", 999_960: "1.0 MB", 3_500_000_000: "3.5 GB",
	} {
		if got := byteCount(n); got != want {
			t.Errorf("byteCount(%d) = %q, want %q", n, got, want)
		}
	}
	r := &node.RelayStatus{Active: 2, Waiting: 1, Sessions: 12, BytesRelayed: 14_230_000, Refused: 3}
	if got := relayNow(r); got != "Relaying 2 connections now (1 waiting for the other side)" {
		t.Errorf("relayNow = %q", got)
	}
	if got := relayTotals(r); got != "12 connections, 14.2 MB relayed since tincan started; 3 refused (limits reached)" {
		t.Errorf("relayTotals = %q", got)
	}
	r = &node.RelayStatus{Sessions: 1}
	if relayNow(r) != "Not relaying for anyone right now" || relayTotals(r) != "1 connection, 0 B relayed since tincan started" {
		t.Errorf("idle relay reads %q / %q", relayNow(r), relayTotals(r))
	}
}
