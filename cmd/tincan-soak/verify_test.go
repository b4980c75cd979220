//go:build linux

package main

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// sent makes a ledger record of message seq from → to.
func sent(from, to string, seq int, accepted bool) *sendRec {
	return &sendRec{from: from, to: to, seq: seq, text: messageText(from, to, seq), accepted: accepted}
}

// both puts message seq from → to in both histories, delivered after lat.
func both(h histories, from, to string, seq int, lat time.Duration) {
	text := messageText(from, to, seq)
	at := t0.Add(time.Duration(seq) * time.Second)
	h[from+"/"+to] = append(h[from+"/"+to], histEntry{Direction: "out", Text: text, SentAt: at, At: at, State: "delivered"})
	h[to+"/"+from] = append(h[to+"/"+from], histEntry{Direction: "in", Text: text, SentAt: at, At: at.Add(lat)})
}

func TestVerifyPassesACleanRunAndMeasuresLatency(t *testing.T) {
	h := histories{}
	var recs []*sendRec
	for seq := 1; seq <= 4; seq++ {
		recs = append(recs, sent("Ana", "Ben", seq, true))
		both(h, "Ana", "Ben", seq, time.Duration(seq)*time.Millisecond)
	}
	recs = append(recs, sent("Ben", "Ana", 1, false)) // refused, in neither: fine
	recs = append(recs, sent("Ben", "Ana", 2, false)) // unanswered but committed: in both, fine
	both(h, "Ben", "Ana", 2, time.Millisecond)
	v := verify(recs, h, []string{"Ana", "Ben"})
	if !v.ok() {
		t.Fatalf("a clean run fails verification: %v", v.examples)
	}
	if v.accepted != 4 || v.delivered != 4 || v.unconfirmedAbsent != 1 || v.unconfirmedDelivered != 1 {
		t.Errorf("counted %d accepted, %d delivered, %d unconfirmed absent, %d unconfirmed delivered; want 4, 4, 1, 1",
			v.accepted, v.delivered, v.unconfirmedAbsent, v.unconfirmedDelivered)
	}
	if p := percentile(v.latencies, 50); p != 2*time.Millisecond {
		t.Errorf("median latency of 1, 2, 3 and 4 ms is %v, want 2ms", p)
	}
	if p := percentile(v.latencies, 99); p != 4*time.Millisecond {
		t.Errorf("p99 latency of 1, 2, 3 and 4 ms is %v, want 4ms", p)
	}
}

func TestVerifyCatchesEveryKindOfFailure(t *testing.T) {
	cases := []struct {
		name  string
		setup func(h histories) []*sendRec
		check func(v verdict) bool
	}{
		{"an accepted message missing at the receiver", func(h histories) []*sendRec {
			h["Ana/Ben"] = []histEntry{{Direction: "out", Text: messageText("Ana", "Ben", 1), State: "sent"}}
			return []*sendRec{sent("Ana", "Ben", 1, true)}
		}, func(v verdict) bool { return v.lost == 1 }},
		{"a message delivered twice", func(h histories) []*sendRec {
			both(h, "Ana", "Ben", 1, 0)
			h["Ben/Ana"] = append(h["Ben/Ana"], h["Ben/Ana"][0])
			return []*sendRec{sent("Ana", "Ben", 1, true)}
		}, func(v verdict) bool { return v.duplicates == 1 }},
		{"an unconfirmed message in the sender's history only", func(h histories) []*sendRec {
			h["Ana/Ben"] = []histEntry{{Direction: "out", Text: messageText("Ana", "Ben", 1), State: "queued"}}
			return []*sendRec{sent("Ana", "Ben", 1, false)}
		}, func(v verdict) bool { return v.halves == 1 }},
		{"messages received out of send order", func(h histories) []*sendRec {
			both(h, "Ana", "Ben", 2, 0)
			both(h, "Ana", "Ben", 1, 0)
			return []*sendRec{sent("Ana", "Ben", 1, true), sent("Ana", "Ben", 2, true)}
		}, func(v verdict) bool { return v.misordered >= 1 }},
		{"a message no send made", func(h histories) []*sendRec {
			both(h, "Ana", "Ben", 7, 0)
			return nil
		}, func(v verdict) bool { return v.strangers >= 1 }},
		{"a message in both histories that the sender never saw acknowledged", func(h histories) []*sendRec {
			both(h, "Ana", "Ben", 1, 0)
			h["Ana/Ben"][0].State = "sent"
			return []*sendRec{sent("Ana", "Ben", 1, true)}
		}, func(v verdict) bool { return v.undelivered == 1 }},
	}
	for _, c := range cases {
		h := histories{}
		v := verify(c.setup(h), h, []string{"Ana", "Ben"})
		if v.ok() || !c.check(v) {
			t.Errorf("%s: verification did not catch it (ok=%v, examples %v)", c.name, v.ok(), v.examples)
		}
		if len(v.examples) == 0 {
			t.Errorf("%s: caught without a sentence saying what went wrong", c.name)
		}
	}
}

func TestClearErrorJudgesDiskFullMessages(t *testing.T) {
	plain := "tincan: the disk is full: the message to Ben was not saved; free some space on the disk that holds /h and try again"
	if !clearError(1, plain) {
		t.Errorf("a plain sentence is judged unclear: %q", plain)
	}
	for _, bad := range []string{
		"tincan: queue message to Ben: enqueue for contact 1: commit: database or disk is full (13)",
		"tincan: no tincan is running with this home (/h)",
		"",
	} {
		if clearError(1, bad) {
			t.Errorf("%q is judged a clear disk-full error", bad)
		}
	}
	if clearError(2, plain) {
		t.Error("a full disk reported as bad input (exit 2) is judged clear")
	}
}

// parseText reads back exactly the texts messageText makes.
func FuzzParseText(f *testing.F) {
	f.Add(messageText("Ana", "Ben", 12))
	f.Add("soak Ana>Ben #000000")
	f.Add("soak >Ben #1")
	f.Add("soak Ana>Ben #1 extra")
	f.Fuzz(func(t *testing.T, s string) {
		from, to, seq, ok := parseText(s)
		if ok && messageText(from, to, seq) != s {
			t.Fatalf("parseText(%q) = %q, %q, %d but that message's text is %q", s, from, to, seq, messageText(from, to, seq))
		}
		if ok && (seq <= 0 || from == "" || to == "") {
			t.Fatalf("parseText(%q) accepted seq %d, from %q, to %q", s, seq, from, to)
		}
	})
}
