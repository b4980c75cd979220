//go:build linux

package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"tincan/natlab"
)

// pollEvery is how often the harness reads both sides' history while waiting.
const pollEvery = 250 * time.Millisecond

// settleFor is how long a pair that should be direct, whose first messages
// went through a relay (an agreed relay joins a second after the send),
// has to upgrade: both sides retry direct paths 2 s after the relayed
// session came up.
const settleFor = 15 * time.Second

// runPair makes a and b contacts of each other (by card only), sends one
// message each way at once and waits up to timeout for both to be delivered,
// then records the path each side reports for the other.
func runPair(ctx context.Context, a, b *node, timeout time.Duration) pairResult {
	r := newResult(a.site, b.site)
	for _, p := range [][2]*node{{a, b}, {b, a}} {
		if err := p[0].cli(ctx, nil, "contacts", "add", p[1].site.Name, p[1].card); err != nil {
			r.Err = err.Error()
			return r
		}
	}
	textAB := fmt.Sprintf("natlab %s to %s", a.site.Name, b.site.Name)
	textBA := fmt.Sprintf("natlab %s to %s", b.site.Name, a.site.Name)
	t0 := time.Now()
	var sentAB, sentBA messageView
	var errAB, errBA error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); errAB = a.cli(ctx, &sentAB, "send", b.site.Name, textAB) }()
	go func() { defer wg.Done(); errBA = b.cli(ctx, &sentBA, "send", a.site.Name, textBA) }()
	wg.Wait()
	if errAB != nil || errBA != nil {
		r.Err = fmt.Sprint(firstErr(errAB, errBA))
		return r
	}
	r.AB.ID, r.BA.ID = sentAB.ID, sentBA.ID

	deadline := t0.Add(timeout)
	for !r.complete() && time.Now().Before(deadline) {
		if err := firstErr(a.alive(), b.alive()); err != nil {
			r.Err = err.Error()
			break
		}
		r.observe(ctx, a, b.site.Name, &r.AB, &r.BA, textBA, t0)
		r.observe(ctx, b, a.site.Name, &r.BA, &r.AB, textAB, t0)
		if r.complete() {
			break
		}
		select {
		case <-ctx.Done():
			r.Err = ctx.Err().Error()
			return r
		case <-time.After(pollEvery):
		}
	}
	r.views(ctx, a, b)
	if r.Err == "" && !r.lost() && r.ExpectDirect && !r.direct() {
		r.FirstA, r.FirstB = r.ViewA.Path, r.ViewB.Path
		for end := time.Now().Add(settleFor); !r.direct() && time.Now().Before(end) && ctx.Err() == nil; {
			time.Sleep(pollEvery)
			r.views(ctx, a, b)
		}
		if r.direct() {
			r.DirectAfter = time.Since(t0)
		}
	}
	return r
}

// views reads both sides' contact entries for each other.
func (r *pairResult) views(ctx context.Context, a, b *node) {
	var err error
	if r.ViewA, err = a.contact(ctx, b.site.Name); err != nil && r.Err == "" {
		r.Err = err.Error()
	}
	if r.ViewB, err = b.contact(ctx, a.site.Name); err != nil && r.Err == "" {
		r.Err = err.Error()
	}
}

// observe reads n's history with peer: the state of n's own message (out)
// and the arrival of the peer's message (in, identified by its text).
func (r *pairResult) observe(ctx context.Context, n *node, peer string, out, in *direction, inText string, t0 time.Time) {
	var ms []messageView
	if err := n.cli(ctx, &ms, "history", peer); err != nil {
		return
	}
	for _, m := range ms {
		switch {
		case m.Direction == "out" && m.ID == out.ID:
			out.State = m.State
			if m.State == "delivered" && out.Acked == 0 {
				out.Acked = time.Since(t0)
			}
		case m.Direction == "in" && m.Text == inText && in.Received == 0:
			in.Received = max(m.At.Sub(t0), time.Millisecond)
		}
	}
}

func (r *pairResult) complete() bool {
	return r.AB.Acked > 0 && r.BA.Acked > 0 && r.AB.Received > 0 && r.BA.Received > 0
}

// newResult is an empty result for the pair a, b.
func newResult(a, b *natlab.Site) pairResult {
	return pairResult{A: a.Name, B: b.Name, KindA: a.Kind, KindB: b.Kind, ExpectDirect: natlab.ExpectDirect(a.Kind, b.Kind)}
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
