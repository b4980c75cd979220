//go:build linux

package main

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Why a send was not accepted.
const (
	reasonNone     = ""
	reasonDiskFull = "disk full"
	reasonDown     = "daemon down or killed during the send"
	reasonHung     = "no answer in time"
	reasonOther    = "no fault explains it"
)

// sendRec is one `tincan send` the soak ran. A send counts as sent only when
// the CLI exited 0 with the message's JSON; any other ending leaves the
// message unconfirmed: it must then be in both histories once or in neither.
type sendRec struct {
	from, to string
	seq      int
	text     string
	start    time.Time
	end      time.Time
	accepted bool
	id       string
	code     int    // the CLI's exit code (-1: killed by the soak after its deadline)
	errText  string // its stderr when not accepted
	reason   string
}

// ledger records every send of a run, in the order each sender started them.
type ledger struct {
	mu   sync.Mutex
	recs []*sendRec
	seqs map[string]int // "A>B": the last seq given
}

func newLedger() *ledger { return &ledger{seqs: map[string]int{}} }

// next gives the next message of the conversation from → to (seq from 1).
func (l *ledger) next(from, to string) *sendRec {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := from + ">" + to
	l.seqs[k]++
	seq := l.seqs[k]
	return &sendRec{from: from, to: to, seq: seq, text: messageText(from, to, seq)}
}

// add records a finished send.
func (l *ledger) add(r *sendRec) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, r)
}

// all is every send so far.
func (l *ledger) all() []*sendRec {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*sendRec(nil), l.recs...)
}

// from lists the sends by one daemon that started at or after t.
func (l *ledger) from(name string, t time.Time) []*sendRec {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*sendRec
	for _, r := range l.recs {
		if r.from == name && !r.start.Before(t) {
			out = append(out, r)
		}
	}
	return out
}

// messageText is the unique text of message seq from → to.
func messageText(from, to string, seq int) string {
	return fmt.Sprintf("soak %s>%s #%06d", from, to, seq)
}

// parseText reads back a soak message's conversation and seq.
func parseText(s string) (from, to string, seq int, ok bool) {
	var pair string
	if n, err := fmt.Sscanf(s, "soak %s #%d", &pair, &seq); n != 2 || err != nil {
		return "", "", 0, false
	}
	from, to, ok = strings.Cut(pair, ">")
	return from, to, seq, ok && from != "" && to != "" && seq > 0 && s == messageText(from, to, seq)
}

// errorCounts groups the not-accepted sends' messages: "reason: stderr" → count.
func errorCounts(recs []*sendRec) []string {
	m := map[string]int{}
	for _, r := range recs {
		if !r.accepted {
			m[fmt.Sprintf("%s (exit %d): %q", r.reason, r.code, r.errText)]++
		}
	}
	var out []string
	for k, n := range m {
		out = append(out, fmt.Sprintf("%dx %s", n, k))
	}
	sort.Strings(out)
	return out
}
