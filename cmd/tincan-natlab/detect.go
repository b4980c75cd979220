//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"tincan/natlab"
)

// expectedNAT is the type a node behind kind k should detect, or "" where
// more than one answer is right (a forwarded or UPnP-mapped UDP port makes
// a port-restricted router look looser from outside). strict says whether a
// different answer fails the lab: telling full cone from address-restricted
// needs a partner's probe from an address the node never sent to; the node
// sets aside answers through holes its UDP port opened, but the lab's
// address-restricted NAT also lets in addresses the node's TCP port talked
// to (its overlay links), and a lost probe makes a full cone look
// address-restricted, so those two are reported only.
func expectedNAT(k natlab.Kind) (want string, strict bool) {
	w := expectedType(k)
	return w, k != natlab.FullCone && k != natlab.AddressRestricted
}

func expectedType(k natlab.Kind) string {
	switch k {
	case natlab.Public:
		return "none"
	case natlab.FullCone:
		return "full-cone"
	case natlab.AddressRestricted:
		return "address-restricted"
	case natlab.PortRestricted, natlab.PortChanging:
		return "port-restricted"
	case natlab.SymmetricRandom, natlab.SymmetricSequential:
		return "symmetric"
	}
	return ""
}

// settled reports whether a node's answer is final: a named type. A node
// that says "unknown" (or nothing yet) is still asking: it classifies again
// soon, and sooner still when a new peer links.
func settled(v *natView) bool {
	return v != nil && v.Error == "" && v.Type != "" && v.Type != "unknown"
}

// checkDetection waits (up to d) until every node has settled on a NAT
// type, prints what each detected, how long it took and its external
// address, and returns how many detected a type other than the one their
// kind must give. For every node that did not answer as its kind should, it
// prints the detection lines of its log (each classification's probes), so
// that a wrong answer can be diagnosed from the lab's output alone.
func checkDetection(ctx context.Context, lab *natlab.Lab, nodes map[string]*node, d time.Duration, stdout io.Writer) int {
	start := time.Now()
	deadline := start.Add(d)
	views := map[string]*natView{}
	at := map[string]time.Duration{}
	for {
		pending := 0
		for _, s := range lab.Sites {
			if settled(views[s.Name]) {
				continue
			}
			if st, err := nodes[s.Name].status(ctx); err == nil && st.NAT != nil {
				views[s.Name] = st.NAT
				if settled(st.NAT) {
					at[s.Name] = time.Since(start)
					continue
				}
			}
			pending++
		}
		if pending == 0 || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return len(lab.Sites)
		case <-time.After(500 * time.Millisecond):
		}
	}
	fmt.Fprintf(stdout, "NAT detected by each node (status --json .nat), %v after all joined:\n", since(start))
	wrong := 0
	var odd []string
	for _, s := range lab.Sites {
		v := views[s.Name]
		want, strict := expectedNAT(s.Kind)
		got, ext, mapped, when := "(none yet)", "", "", "not settled"
		if v != nil {
			got, ext = v.Type, v.External
			if len(v.Mapped) > 0 {
				mapped = fmt.Sprint(v.Mapped)
			}
		}
		if t, ok := at[s.Name]; ok {
			when = "in " + t.Round(100*time.Millisecond).String()
		}
		mark := "ok"
		switch {
		case want == "" && settled(v):
			mark = "-"
		case want == "":
			mark = "- (not settled)"
		case got != want && strict:
			mark, wrong = "WRONG, want "+want, wrong+1
		case got != want:
			mark = "differs (reported only), want " + want
		}
		if mark != "ok" && mark != "-" {
			odd = append(odd, s.Name)
			if v != nil {
				mark += fmt.Sprintf(" (mapping %s, filtering %s)", v.Mapping, v.Filtering)
			}
		}
		fmt.Fprintf(stdout, "  %-6s %-22s %-20s %-13s external %-20s %s %s\n", s.Name, s.Kind, got, when, ext, mark, mapped)
	}
	for _, name := range odd {
		writeDetectionLog(stdout, name, nodes[name].log)
	}
	fmt.Fprintln(stdout)
	return wrong
}

// detectionLines are what a daemon logs about its NAT detection (the
// partner lines only at -daemon-log-level debug).
var detectionLines = []string{"NAT detect", "NAT type not known", "change-IP request", "partner probe"}

// writeDetectionLog prints the NAT detection lines of a node's log.
func writeDetectionLog(w io.Writer, name, path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(w, "  %s: no log to show: %v\n", name, err)
		return
	}
	fmt.Fprintf(w, "  %s's NAT detection, from %s:\n", name, path)
	for line := range strings.Lines(string(b)) {
		if slices.ContainsFunc(detectionLines, func(s string) bool { return strings.Contains(line, s) }) {
			fmt.Fprintf(w, "    %s", line)
		}
	}
}
