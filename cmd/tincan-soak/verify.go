//go:build linux

package main

import (
	"fmt"
	"slices"
	"time"
)

// histEntry is one element of `tincan history NAME --json` (README's contract).
type histEntry struct {
	ID        string    `json:"id"`
	Contact   string    `json:"contact"`
	Direction string    `json:"direction"`
	Text      string    `json:"text"`
	SentAt    time.Time `json:"sent_at"`
	At        time.Time `json:"at"`
	State     string    `json:"state"`
}

// histories maps "A/B" to A's history with B, oldest first.
type histories map[string][]histEntry

// verdict is what the histories say about every send of a run.
type verdict struct {
	attempted   int
	accepted    int // the CLI said the message was queued
	delivered   int // accepted and once in each history
	unconfirmed int // not accepted (refused, or no answer)
	// unconfirmedDelivered were committed before the answer was lost (a
	// kill mid-send): once in each history; the rest are in neither.
	unconfirmedDelivered int
	unconfirmedAbsent    int
	duplicates           int // extra copies in either history
	lost                 int // accepted, missing from a history
	halves               int // unconfirmed, in one history only
	misordered           int // a message before one sent earlier in its conversation
	strangers            int // soak messages in a history that no send made
	undelivered          int // accepted, in both, but the sender does not show it delivered
	latencies            []time.Duration
	examples             []string // the first few failures, as sentences
}

// ok reports whether nothing was lost, doubled, halved or reordered.
func (v verdict) ok() bool {
	return v.duplicates == 0 && v.lost == 0 && v.halves == 0 && v.misordered == 0 &&
		v.strangers == 0 && v.undelivered == 0
}

func (v *verdict) fail(format string, a ...any) {
	if len(v.examples) < 12 {
		v.examples = append(v.examples, fmt.Sprintf(format, a...))
	}
}

// side counts one conversation's soak messages in one history.
type side struct {
	count map[int]int
	entry map[int]histEntry
}

// scan reads the messages of conversation from → to in h with direction dir,
// counting messages out of send order and texts no conversation explains.
func scan(v *verdict, h []histEntry, dir, from, to, whose string) side {
	s := side{count: map[int]int{}, entry: map[int]histEntry{}}
	last := 0
	for _, e := range h {
		if e.Direction != dir {
			continue
		}
		f, t, seq, ok := parseText(e.Text)
		if !ok || f != from || t != to {
			v.strangers++
			v.fail("%s holds a message no send of %s>%s explains: %q", whose, from, to, e.Text)
			continue
		}
		if seq < last {
			v.misordered++
			v.fail("%s shows %s>%s #%d after #%d", whose, from, to, seq, last)
		}
		last = max(last, seq)
		s.count[seq]++
		s.entry[seq] = e
	}
	return s
}

// verify checks every send against the sender's and receiver's histories.
func verify(recs []*sendRec, h histories, names []string) verdict {
	var v verdict
	byPair := map[string][]*sendRec{}
	for _, r := range recs {
		byPair[r.from+">"+r.to] = append(byPair[r.from+">"+r.to], r)
	}
	for _, a := range names {
		for _, b := range names {
			if a == b {
				continue
			}
			out := scan(&v, h[a+"/"+b], "out", a, b, a+"'s history with "+b)
			in := scan(&v, h[b+"/"+a], "in", a, b, b+"'s history with "+a)
			known := map[int]bool{}
			for _, r := range byPair[a+">"+b] {
				known[r.seq] = true
				v.attempted++
				co, ci := out.count[r.seq], in.count[r.seq]
				if co > 1 || ci > 1 {
					v.duplicates += max(co-1, 0) + max(ci-1, 0)
					v.fail("%q is %d times in %s's history and %d times in %s's", r.text, co, a, ci, b)
				}
				if r.accepted {
					v.accepted++
					switch {
					case co == 0 || ci == 0:
						v.lost++
						v.fail("%q was accepted but is missing from %s", r.text, missingSide(co, ci, a, b))
					default:
						v.delivered++
						e := in.entry[r.seq]
						v.latencies = append(v.latencies, e.At.Sub(e.SentAt))
						if st := out.entry[r.seq].State; st != "delivered" {
							v.undelivered++
							v.fail("%q is in both histories but %s shows it %s, not delivered", r.text, a, st)
						}
					}
					continue
				}
				v.unconfirmed++
				switch {
				case co == 0 && ci == 0:
					v.unconfirmedAbsent++
				case co > 0 && ci > 0:
					v.unconfirmedDelivered++
				default:
					v.halves++
					v.fail("%q (send not confirmed: %s) is in %s only", r.text, r.reason, presentSide(co, a, b))
				}
			}
			for seq := range out.count {
				if !known[seq] {
					v.strangers++
					v.fail("%s's history holds %q, which no send made", a, messageText(a, b, seq))
				}
			}
			for seq := range in.count {
				if !known[seq] {
					v.strangers++
					v.fail("%s's history holds %q, which no send made", b, messageText(a, b, seq))
				}
			}
		}
	}
	slices.Sort(v.latencies)
	return v
}

func missingSide(co, ci int, a, b string) string {
	switch {
	case co == 0 && ci == 0:
		return "both histories"
	case co == 0:
		return a + "'s history (the sender's)"
	}
	return b + "'s history (the receiver's)"
}

func presentSide(co int, a, b string) string {
	if co > 0 {
		return a + "'s history (the sender's)"
	}
	return b + "'s history (the receiver's)"
}

// percentile is the nearest-rank p-th percentile of sorted ds (0 if none).
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := (len(ds)*p + 99) / 100
	return ds[min(max(i-1, 0), len(ds)-1)]
}
