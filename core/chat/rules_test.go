package chat

import (
	"strings"
	"testing"
	"unicode/utf8"

	"tincan/core/identity"
	"tincan/core/wire"
)

// TestKeepNewAgreesOnBothSides checks the duplicate-session rule from both
// ends: whatever order the two sessions arrive in, both keep the session
// dialed by the smaller fingerprint (of the keys the session presented).
func TestKeepNewAgreesOnBothSides(t *testing.T) {
	small, large := identity.Fingerprint{1}, identity.Fingerprint{2}
	mk := func(self identity.Fingerprint) *peer {
		return &peer{m: &Manager{tls: tlsIdentity{fp: self}}}
	}
	sess := func(outbound bool, peerFP identity.Fingerprint) *session {
		self := small
		if peerFP == small {
			self = large
		}
		return &session{outbound: outbound, peerFP: peerFP, localFP: self}
	}
	ps, pl := mk(small), mk(large)
	// The session small dialed: outbound at small, inbound at large.
	bySmallAtS, bySmallAtL := sess(true, large), sess(false, small)
	byLargeAtS, byLargeAtL := sess(false, large), sess(true, small)

	keep := func(p *peer, old, s *session) *session {
		if p.keepNew(old, s) {
			return s
		}
		return old
	}
	if keep(ps, byLargeAtS, bySmallAtS) != bySmallAtS || keep(ps, bySmallAtS, byLargeAtS) != bySmallAtS {
		t.Error("the smaller side does not keep its own dial")
	}
	if keep(pl, byLargeAtL, bySmallAtL) != bySmallAtL || keep(pl, bySmallAtL, byLargeAtL) != bySmallAtL {
		t.Error("the larger side does not keep the smaller side's dial")
	}
	// Two sessions dialed by the same side: the dialer dropped the old one.
	older, newer := sess(true, large), sess(true, large)
	if keep(ps, older, newer) != newer {
		t.Error("a newer session from the same dialer is not preferred")
	}
}

func TestHelloName(t *testing.T) {
	for _, in := range []string{"bob", strings.Repeat("é", 40), "bad\xffname", strings.Repeat("x", 100)} {
		got := helloName(in)
		if len(got) > wire.MaxName || !utf8.ValidString(got) {
			t.Errorf("helloName(%q) = %q: %d bytes, valid %v", in, got, len(got), utf8.ValidString(got))
		}
		if _, err := (wire.Hello{Name: got}).Marshal(); err != nil {
			t.Errorf("helloName(%q) does not fit a hello: %v", in, err)
		}
	}
	if helloName("bob") != "bob" {
		t.Error("a short name changed")
	}
}

func TestNewRejectsIncompleteConfig(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("New accepted a config without identity or store")
	}
	if _, err := New(Config{Identity: testID(t, "alice")}); err == nil {
		t.Error("New accepted a config without a store")
	}
}
