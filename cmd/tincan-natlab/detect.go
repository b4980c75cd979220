//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"tincan/natlab"
)

// expectedNAT is the type a node behind kind k should detect, or "" where
// more than one answer is right (a forwarded or UPnP-mapped UDP port makes
// a port-restricted router look looser from outside). strict says whether a
// different answer fails the lab: telling full cone from address-restricted
// needs a partner's probe from an address the node never sent to, and a
// node that sent to that address for an earlier detection (or lost the
// probe) answers looser (or "unknown"), so those two are reported only.
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
	case natlab.PortRestricted:
		return "port-restricted"
	case natlab.SymmetricRandom, natlab.SymmetricSequential:
		return "symmetric"
	}
	return ""
}

// checkDetection prints what NAT each node detected and its external
// address, waiting up to d for every node to have an answer, and returns
// how many detected a type other than the one their kind must give.
func checkDetection(ctx context.Context, lab *natlab.Lab, nodes map[string]*node, d time.Duration, stdout io.Writer) int {
	deadline := time.Now().Add(d)
	views := map[string]*natView{}
	for {
		missing := 0
		for _, s := range lab.Sites {
			st, err := nodes[s.Name].status(ctx)
			if err == nil && st.NAT != nil && st.NAT.Type != "" && st.NAT.Error == "" {
				views[s.Name] = st.NAT
			}
			// A node whose kind has one right answer may still be asking.
			if v := views[s.Name]; v == nil {
				missing++
			} else if want, strict := expectedNAT(s.Kind); strict && v.Type != want {
				missing++
			}
		}
		if missing == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	fmt.Fprintln(stdout, "NAT detected by each node (status --json .nat):")
	wrong := 0
	for _, s := range lab.Sites {
		v := views[s.Name]
		want, strict := expectedNAT(s.Kind)
		got, ext, mapped := "(none yet)", "", ""
		if v != nil {
			got, ext = v.Type, v.External
			if len(v.Mapped) > 0 {
				mapped = fmt.Sprint(v.Mapped)
			}
		}
		mark := "ok"
		switch {
		case want == "":
			mark = "-"
		case got != want && strict:
			mark, wrong = "WRONG, want "+want, wrong+1
		case got != want:
			mark = "differs (reported only), want " + want
		}
		fmt.Fprintf(stdout, "  %-6s %-22s %-20s external %-20s %s %s\n", s.Name, s.Kind, got, ext, mark, mapped)
	}
	fmt.Fprintln(stdout)
	return wrong
}
