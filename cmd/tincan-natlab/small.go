//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"time"

	"tincan/natlab"
)

// The small network (issue 11): one public entry node that relays and two
// users behind the same kind of NAT, no one else, for each kind in turn.
// Both start and join; then each adds the other's card, and the lab
// measures how soon each shows the other online, and then how soon a
// message sent each way arrives, and which path the pair ends on.

// smallWait bounds each step of one small network.
const smallWait = 20 * time.Second

// smallTarget is what a user should see: online, and the first message,
// within a second. Slower is printed, not failed (timing is for benchmarks).
const smallTarget = time.Second

// smallResult is one small network's figures.
type smallResult struct {
	Kind    natlab.Kind
	Online  time.Duration // both added -> both show the other online; 0: never
	Message time.Duration // both sent -> both messages received; 0: never
	PathA   string        // each side's path after the messages
	PathB   string
	Dropped bool // a side showed the other offline while both ran
	Err     string
}

// failures are what breaks the rules (not the timing targets).
func (r smallResult) failures() []string {
	var out []string
	switch {
	case r.Err != "":
		out = append(out, r.Err)
	case r.Online == 0:
		out = append(out, "not online")
	case r.Message == 0:
		out = append(out, "a message not delivered")
	case r.Dropped:
		out = append(out, "the session dropped after it came up")
	case natlab.ExpectDirect(r.Kind, r.Kind) && (!isDirect(r.PathA) || !isDirect(r.PathB)):
		out = append(out, "should be direct but is "+r.PathA+"/"+r.PathB)
	}
	return out
}

// runSmallNetworks stops nothing of the big lab (the caller has), and runs
// one small network per kind, one after the other.
func runSmallNetworks(ctx context.Context, lab *natlab.Lab, c config, stdout io.Writer) []smallResult {
	c.extra, c.voices = nil, nil // no DDNS, no calls
	var out []smallResult
	for _, k := range c.kinds {
		a, b := lab.Site(k.Short()+"-a"), lab.Site(k.Short()+"-b")
		if a == nil || b == nil {
			continue
		}
		cc := c
		cc.dir = filepath.Join(c.dir, "small-"+k.Short())
		r := runSmallNetwork(ctx, lab, cc, k, a, b)
		fmt.Fprintf(stdout, "  small %-22s %s\n", k, r.line())
		out = append(out, r)
	}
	return out
}

// runSmallNetwork runs one: entry, a and b, fresh homes.
func runSmallNetwork(ctx context.Context, lab *natlab.Lab, c config, k natlab.Kind, sa, sb *natlab.Site) smallResult {
	r := smallResult{Kind: k}
	entry, err := startNode(lab, c, lab.Entry, "")
	if err != nil {
		r.Err = err.Error()
		return r
	}
	defer entry.proc.Stop()
	if err := entry.waitReady(ctx, c.ready); err != nil {
		r.Err = err.Error()
		return r
	}
	boot := fmt.Sprintf("%s:%d", lab.Entry.WANIP, daemonPort)
	var nodes [2]*node
	for i, s := range []*natlab.Site{sa, sb} {
		n, err := startNode(lab, c, s, boot)
		if err != nil {
			r.Err = err.Error()
			return r
		}
		defer n.proc.Stop()
		nodes[i] = n
	}
	a, b := nodes[0], nodes[1]
	for _, n := range nodes {
		if err := n.waitReady(ctx, c.ready); err != nil {
			r.Err = err.Error()
			return r
		}
	}
	if !waitFor(ctx, smallWait, func() bool { return joinedNode(ctx, a) && joinedNode(ctx, b) }) {
		r.Err = "did not join through the entry node"
		return r
	}
	// Both users add each other at once, as two people exchanging cards.
	var wg sync.WaitGroup
	var errA, errB error
	wg.Add(2)
	go func() { defer wg.Done(); errA = a.cli(ctx, nil, "contacts", "add", sb.Name, b.card) }()
	go func() { defer wg.Done(); errB = b.cli(ctx, nil, "contacts", "add", sa.Name, a.card) }()
	wg.Wait()
	if err := firstErr(errA, errB); err != nil {
		r.Err = err.Error()
		return r
	}
	t0 := time.Now()
	if waitFor(ctx, smallWait, func() bool { return onlineTo(ctx, a, sb.Name) && onlineTo(ctx, b, sa.Name) }) {
		r.Online = time.Since(t0)
	} else {
		r.Err = "not online within " + smallWait.String()
	}
	textAB, textBA := "small "+sa.Name+" to "+sb.Name, "small "+sb.Name+" to "+sa.Name
	t1 := time.Now()
	wg.Add(2)
	go func() { defer wg.Done(); errA = a.cli(ctx, nil, "send", sb.Name, textAB) }()
	go func() { defer wg.Done(); errB = b.cli(ctx, nil, "send", sa.Name, textBA) }()
	wg.Wait()
	if err := firstErr(errA, errB); err != nil && r.Err == "" {
		r.Err = err.Error()
		return r
	}
	if waitFor(ctx, smallWait, func() bool { return received(ctx, b, sa.Name, textAB) && received(ctx, a, sb.Name, textBA) }) {
		r.Message = time.Since(t1)
	}
	// A session (relayed ones too) holds once up: both sides stay online
	// while both run.
	for end := time.Now().Add(stayFor); time.Now().Before(end) && ctx.Err() == nil; time.Sleep(250 * time.Millisecond) {
		if !onlineTo(ctx, a, sb.Name) || !onlineTo(ctx, b, sa.Name) {
			r.Dropped = true
			break
		}
	}
	va, _ := a.contact(ctx, sb.Name)
	vb, _ := b.contact(ctx, sa.Name)
	r.PathA, r.PathB = va.Path, vb.Path
	return r
}

// stayFor is how long both sides must keep showing each other online
// after the messages (the relayed session once went down right after it
// came up).
const stayFor = 2 * time.Second

// waitFor polls cond every 50 ms until it holds or d passes.
func waitFor(ctx context.Context, d time.Duration, cond func() bool) bool {
	end := time.Now().Add(d)
	for ctx.Err() == nil && time.Now().Before(end) {
		if cond() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func joinedNode(ctx context.Context, n *node) bool {
	s, err := n.status(ctx)
	return err == nil && s.Overlay != nil && s.Overlay.Joined
}

func onlineTo(ctx context.Context, n *node, peer string) bool {
	v, err := n.contact(ctx, peer)
	return err == nil && v.Online
}

func received(ctx context.Context, n *node, peer, text string) bool {
	var ms []messageView
	if err := n.cli(ctx, &ms, "history", peer); err != nil {
		return false
	}
	for _, m := range ms {
		if m.Direction == "in" && m.Text == text {
			return true
		}
	}
	return false
}

// line is the small network's printed line.
func (r smallResult) line() string {
	verdict := "ok"
	if f := r.failures(); len(f) > 0 {
		verdict = "FAIL: " + f[0]
	}
	slow := ""
	if r.Online > smallTarget || r.Message > smallTarget {
		slow = " (slower than the 1 s target)"
	}
	return fmt.Sprintf("online %-8s first message %-8s path %s/%s | %s%s",
		msOrDash(r.Online), msOrDash(r.Message), orDash(r.PathA), orDash(r.PathB), verdict, slow)
}
