//go:build linux

package main

import (
	"bytes"
	"strings"
	"testing"

	"tincan/core/call/quality"
	"tincan/natlab"
)

func heardWell(lagMs int, carried float64) callDir {
	return callDir{Report: quality.Report{Lag: lagMs * quality.SampleRate / 1000, STOI: 0.9}, Carried: carried}
}

func TestCallVerdicts(t *testing.T) {
	good := callResult{Caller: "pr-a", Callee: "pr-b", Want: "punched-udp", PathA: "punched-udp", PathB: "punched-udp",
		AB: heardWell(106, 0.9), BA: heardWell(86, 1)}
	for _, c := range []struct {
		name     string
		edit     func(r *callResult)
		failures int
		says     string
	}{
		{"punched both ways", func(*callResult) {}, 0, ""},
		{"on the session instead", func(r *callResult) { r.PathA, r.PathB = "direct", "direct" }, 1, "media took direct, want punched-udp"},
		{"one side on UDP", func(r *callResult) { r.PathB = "relay" }, 1, "media took punched-udp/relay"},
		{"one-way audio", func(r *callResult) { r.BA = heardWell(86, 0.1) }, 1, "pr-b -> pr-a: 10% of the speech heard"},
		{"too late", func(r *callResult) { r.AB = heardWell(1500, 0.9) }, 1, "heard 1500ms late"},
		{"no recording", func(r *callResult) { r.AB = callDir{Err: "open: no such file"} }, 1, "pr-a -> pr-b: open"},
		{"never connected", func(r *callResult) { r.Err, r.PathA, r.PathB = "no both active within 25s", "", "" }, 1, "no both active"},
	} {
		r := good
		c.edit(&r)
		f := r.failures()
		if len(f) != c.failures || !strings.Contains(strings.Join(f, "; "), c.says) {
			t.Errorf("%s: failures %q, want %d saying %q", c.name, f, c.failures, c.says)
		}
	}
}

func TestCallTable(t *testing.T) {
	ok := callResult{Caller: "pr-a", Callee: "pr-b", Want: "punched-udp", PathA: "punched-udp", PathB: "punched-udp",
		AB: heardWell(106, 0.9), BA: heardWell(86, 1)}
	bad := callResult{Caller: "sr-b", Callee: "pr-a", Want: "relay", Err: "the call ended", Logs: map[string][]string{"sr-b": {"level=INFO part=call msg=x"}}}
	var w bytes.Buffer
	writeCallTable(&w, []callResult{ok, bad})
	out := w.String()
	for _, want := range []string{"pr-a -> pr-b", "106ms 0.90 90%", "86ms 0.90 100%", "ok\n", "sr-b -> pr-a", "FAIL\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("the call table lacks %q:\n%s", want, out)
		}
	}
	w.Reset()
	writeCallDetails(&w, bad)
	if !strings.Contains(w.String(), "sr-b's call log (1 lines):\n    level=INFO part=call msg=x") {
		t.Errorf("a failed call's details do not show its log lines:\n%s", w.String())
	}
}

func TestPickCalls(t *testing.T) {
	n := func(name string, k natlab.Kind) *node { return &node{site: &natlab.Site{Name: name, Kind: k}} }
	pairs := [][2]*node{
		{n("pr-a", natlab.PortRestricted), n("pr-b", natlab.PortRestricted)},
		{n("pr-a", natlab.PortRestricted), n("sr-b", natlab.SymmetricRandom)},
		{n("sr-a", natlab.SymmetricRandom), n("sr-b", natlab.SymmetricRandom)},
	}
	var w bytes.Buffer
	got := pickCalls(pairs, &w)
	if len(got) != 2 || got[0].caller.site.Name != "pr-a" || got[0].callee.site.Name != "pr-b" || got[0].want != "punched-udp" ||
		got[1].caller.site.Name != "sr-b" || got[1].callee.site.Name != "pr-a" || got[1].want != "relay" {
		t.Errorf("pickCalls chose %+v, want pr-a -> pr-b on punched-udp and sr-b -> pr-a on the relay", got)
	}
	if got := pickCalls(pairs[2:], &w); len(got) != 0 || strings.Count(w.String(), "left out") != 2 {
		t.Errorf("without pr pairs pickCalls chose %d calls and said %q; want none, and why", len(got), w.String())
	}
}
