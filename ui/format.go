package ui

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"tincan/core/node"
)

// Message states as the node reports them.
const (
	stateQueued    = "queued"
	stateSent      = "sent"
	stateDelivered = "delivered"
	stateReceived  = "received"
)

// stateLabel is what an outgoing bubble shows for its delivery state.
func stateLabel(state string) string {
	switch state {
	case stateQueued:
		return "🕓 queued"
	case stateSent:
		return "✓ sent"
	case stateDelivered:
		return "✓✓ delivered"
	}
	return state
}

// stateRank orders delivery states so an update never moves a message back.
func stateRank(state string) int {
	switch state {
	case stateQueued:
		return 1
	case stateSent:
		return 2
	case stateDelivered, stateReceived:
		return 3
	}
	return 0
}

// incoming reports whether m was written by the contact.
func incoming(m node.MessageView) bool {
	switch m.Direction {
	case "in", "incoming", "received":
		return true
	case "out", "outgoing", "sent":
		return false
	}
	return m.State == stateReceived
}

// clock formats a message time: the time of day today, the date otherwise.
func clock(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.Local()
	now = now.Local()
	switch {
	case sameDay(t, now):
		return t.Format("15:04")
	case sameDay(t, now.AddDate(0, 0, -1)):
		return "Yesterday " + t.Format("15:04")
	case t.Year() == now.Year():
		return t.Format("Jan 2, 15:04")
	}
	return t.Format("Jan 2 2006, 15:04")
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// reach says how a contact is reached, for the line under its name.
func reach(c node.ContactView) string {
	if c.Revoked {
		return "revoked · can no longer reach you"
	}
	if !c.Online {
		switch c.RelayConsent {
		case node.ConsentAsked:
			return "offline · waiting for your answer about a relay"
		case node.ConsentDenied:
			return "offline · you declined a relay"
		}
		if c.Addr != "" {
			return "offline · " + c.Addr
		}
		return "offline"
	}
	if c.Path == pathRelay {
		if c.Relay != "" {
			return "relay via " + c.Relay
		}
		return "relay"
	}
	path := pathWords(c.Path)
	addr := c.Remote
	if addr == "" {
		addr = c.Addr
	}
	if addr != "" {
		return path + " · " + addr
	}
	return path
}

// Paths the node reports in ContactView.Path.
const (
	pathDirect     = "direct"
	pathPunchedTCP = "punched-tcp"
	pathPunchedUDP = "punched-udp"
	pathMapped     = "mapped"
	pathRelay      = "relay"
	pathNone       = "none"
)

// pathWords says in plain words how an online contact is reached.
func pathWords(path string) string {
	switch path {
	case pathDirect:
		return "direct"
	case pathPunchedTCP:
		return "hole-punched (TCP)"
	case pathPunchedUDP:
		return "hole-punched (UDP)"
	case pathMapped:
		// Either side's router may hold the mapping: the node reports
		// "mapped" both when we dial the contact's mapped port and when
		// the contact dials ours.
		return "through a router's mapped port"
	case pathRelay:
		return "relay"
	case "", pathNone:
		return "online"
	}
	return path
}

// preview shortens text to one line of at most n characters for a
// notification.
func preview(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// cleanCard removes the whitespace and line breaks a pasted card picks up.
func cleanCard(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// onlineCount is the tray's status line.
func onlineCount(cs []node.ContactView) string {
	n := 0
	for _, c := range cs {
		if c.Online {
			n++
		}
	}
	switch {
	case len(cs) == 0:
		return "No contacts yet"
	case n == 0:
		return "No contacts online"
	case n == 1:
		return "1 contact online"
	}
	return strconv.Itoa(n) + " contacts online"
}
