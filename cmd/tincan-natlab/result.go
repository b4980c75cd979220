//go:build linux

package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"tincan/natlab"
)

// direction is one message of a pair.
type direction struct {
	ID       string        `json:"id"`
	State    string        `json:"state"`    // last state seen at the sender
	Received time.Duration `json:"received"` // receiver's commit time after the first send; 0 if never
	Acked    time.Duration `json:"acked"`    // when the sender was seen to have it delivered; 0 if never
}

func (d direction) delivered() bool { return d.Acked > 0 && d.Received > 0 }

// pairResult is what one pair of sites did.
type pairResult struct {
	A            string      `json:"a"` // site names
	B            string      `json:"b"`
	KindA        natlab.Kind `json:"kind_a"`
	KindB        natlab.Kind `json:"kind_b"`
	AB           direction   `json:"a_to_b"`
	BA           direction   `json:"b_to_a"`
	ViewA        contactView `json:"view_a"` // A's contact entry for B after the wait
	ViewB        contactView `json:"view_b"`
	ExpectDirect bool        `json:"expect_direct"`
	Err          string      `json:"error,omitempty"`
	// FirstA and FirstB are the paths when both messages had arrived; a
	// pair that should be direct and was relayed first is then given
	// settleFor to upgrade, and DirectAfter says when both sides were
	// direct (from the first send).
	FirstA      string        `json:"first_path_a,omitempty"`
	FirstB      string        `json:"first_path_b,omitempty"`
	DirectAfter time.Duration `json:"direct_after,omitempty"`
}

// lost reports a message that was not delivered in time.
func (r pairResult) lost() bool { return !r.AB.delivered() || !r.BA.delivered() }

// direct reports that both sides reach each other without a relay: by a
// listener, a hole punched in both NATs, or a port the router maps.
func (r pairResult) direct() bool { return isDirect(r.ViewA.Path) && isDirect(r.ViewB.Path) }

func isDirect(path string) bool {
	switch path {
	case "direct", "punched-tcp", "punched-udp", "mapped":
		return true
	}
	return false
}

// took is the slower direction's time from the first send to delivery.
func (r pairResult) took() time.Duration { return max(r.AB.Received, r.BA.Received) }

// path is the path both sides agree on, or both views.
func (r pairResult) path() string {
	a, b := orDash(r.ViewA.Path), orDash(r.ViewB.Path)
	if a == b {
		return a
	}
	return a + "/" + b
}

// failures lists why the pair fails the lab's rules; none means it passes.
func (r pairResult) failures() []string {
	var out []string
	if r.Err != "" {
		out = append(out, r.Err)
	}
	if !r.AB.delivered() {
		out = append(out, fmt.Sprintf("%s -> %s not delivered (state %s)", r.A, r.B, orDash(r.AB.State)))
	}
	if !r.BA.delivered() {
		out = append(out, fmt.Sprintf("%s -> %s not delivered (state %s)", r.B, r.A, orDash(r.BA.State)))
	}
	if r.notDirect() {
		out = append(out, fmt.Sprintf("should be direct, path is %s", r.path()))
	}
	return out
}

// notDirect reports a delivered pair that should be direct and is not.
func (r pairResult) notDirect() bool {
	return !r.lost() && r.ExpectDirect && !r.direct()
}

// cell is the pair's matrix cell: path and time, or what failed.
func (r pairResult) cell() string {
	switch {
	case r.AB.delivered() && r.BA.delivered():
		s := fmt.Sprintf("%s %s", r.path(), ms(r.took()))
		if r.notDirect() {
			s += " !"
		}
		return s
	case r.AB.delivered():
		return "FAIL b>a"
	case r.BA.delivered():
		return "FAIL a>b"
	}
	return "FAIL"
}

func ms(d time.Duration) string { return fmt.Sprintf("%dms", d.Milliseconds()) }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeMatrix prints the matrix: rows are the first site's kind (site a),
// columns the second's (site b); each pair once, above the diagonal. Below
// it, the same grid says which pairs must end up direct.
func writeMatrix(w io.Writer, kinds []natlab.Kind, results []pairResult) {
	byKinds := map[[2]natlab.Kind]pairResult{}
	for _, r := range results {
		byKinds[[2]natlab.Kind{r.KindA, r.KindB}] = r
	}
	width, label := 8, 8
	for _, r := range results {
		width = max(width, len(r.cell())+2)
	}
	for _, k := range kinds {
		label = max(label, len(rowLabel(k))+2)
	}
	grid := func(cell func(a, b natlab.Kind) string) {
		fmt.Fprintf(w, "%-*s", label, "a \\ b")
		for _, k := range kinds {
			fmt.Fprintf(w, "%-*s", width, k.Short())
		}
		fmt.Fprintln(w)
		for _, ka := range kinds {
			fmt.Fprintf(w, "%-*s", label, rowLabel(ka))
			for _, kb := range kinds {
				fmt.Fprintf(w, "%-*s", width, cell(ka, kb))
			}
			fmt.Fprintln(w)
		}
	}
	grid(func(a, b natlab.Kind) string {
		if r, ok := byKinds[[2]natlab.Kind{a, b}]; ok {
			return r.cell()
		}
		return "."
	})
	fmt.Fprintln(w, `cell: path (both sides' "path" from 'contacts list --json') and the slower direction's time`)
	fmt.Fprintln(w, "      from the first send to the receiver's commit; FAIL: a message not delivered in time")
	fmt.Fprintln(w, "      (a>b: the row's message, b>a: the column's); \"!\": should be direct but is not")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "what the pairs must reach (shared/NATLAB.md; upnp counts as port-forwarded):")
	grid(func(a, b natlab.Kind) string {
		if _, ok := byKinds[[2]natlab.Kind{a, b}]; !ok {
			return "."
		}
		if natlab.ExpectDirect(a, b) {
			return "direct"
		}
		return "relay ok"
	})
}

func rowLabel(k natlab.Kind) string { return string(k) + " (" + k.Short() + ")" }

// writeDetails prints one line per pair with both directions and both views.
func writeDetails(w io.Writer, results []pairResult) {
	for _, r := range results {
		verdict := "ok"
		if f := r.failures(); len(f) > 0 {
			verdict = "FAIL: " + strings.Join(f, "; ")
		}
		if r.FirstA != "" && (r.FirstA != r.ViewA.Path || r.FirstB != r.ViewB.Path) {
			verdict += fmt.Sprintf(" (first %s/%s, direct after %s)", r.FirstA, r.FirstB, ms(r.DirectAfter))
		}
		fmt.Fprintf(w, "%-6s <-> %-6s a>b %-9s b>a %-9s | a sees %s | b sees %s | %s\n", r.A, r.B,
			dirString(r.AB), dirString(r.BA), viewString(r.ViewA), viewString(r.ViewB), verdict)
	}
}

func dirString(d direction) string {
	if !d.delivered() {
		return orDash(d.State)
	}
	return ms(d.Received)
}

func viewString(c contactView) string {
	s := orDash(c.Path)
	if c.Remote != "" {
		s += " " + c.Remote
	}
	if c.Via != "" {
		s += " via " + c.Via
	}
	return s
}

// writeMedians prints, per path, how many pairs took it and the median and
// slowest time from the first send to delivery (the slower direction).
func writeMedians(w io.Writer, results []pairResult) {
	byPath := map[string][]time.Duration{}
	var order []string
	for _, r := range results {
		if r.lost() {
			continue
		}
		p := r.path()
		if _, ok := byPath[p]; !ok {
			order = append(order, p)
		}
		byPath[p] = append(byPath[p], r.took())
	}
	sort.Strings(order)
	fmt.Fprintln(w, "time from first send to delivery, by path:")
	for _, p := range order {
		ds := byPath[p]
		slices.Sort(ds)
		fmt.Fprintf(w, "  %-24s %2d pairs  median %s  slowest %s\n", p, len(ds), ms(ds[len(ds)/2]), ms(ds[len(ds)-1]))
	}
}
