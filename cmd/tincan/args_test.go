package main

import (
	"errors"
	"reflect"
	"testing"
)

func TestSplitCommandSkipsFlagValues(t *testing.T) {
	cases := []struct {
		in   []string
		cmd  string
		rest []string
	}{
		{[]string{"--listen", ":7001"}, "", []string{"--listen", ":7001"}},
		{[]string{"--home", "/tmp/a", "send", "Ben", "hi"}, "send", []string{"--home", "/tmp/a", "Ben", "hi"}},
		{[]string{"--json", "status"}, "status", []string{"--json"}},
		{[]string{"--home=/x", "id"}, "id", []string{"--home=/x"}},
	}
	for _, c := range cases {
		cmd, rest := splitCommand(c.in)
		if cmd != c.cmd || !reflect.DeepEqual(rest, c.rest) {
			t.Errorf("splitCommand(%q) = %q, %q; want %q, %q", c.in, cmd, rest, c.cmd, c.rest)
		}
	}
}

func TestParseArgsInterspersedFlags(t *testing.T) {
	spec := flagSpec{values: []string{"addr"}, bools: []string{"json"}}
	a, err := parseArgs([]string{"add", "Ben", "--json", "CARD", "--addr", "h:1"}, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.pos, []string{"add", "Ben", "CARD"}) || a.get("addr", "") != "h:1" || !a.bool("json") {
		t.Fatalf("parsed %+v", a)
	}
	// "--" ends flags, so a message may start with a dash.
	a, err = parseArgs([]string{"Ben", "--", "--not-a-flag"}, spec)
	if err != nil || !reflect.DeepEqual(a.pos, []string{"Ben", "--not-a-flag"}) {
		t.Fatalf("after --: %+v, %v", a, err)
	}
	for _, bad := range [][]string{{"--nope"}, {"--addr"}, {"--json=maybe"}} {
		var ue usageError
		if _, err := parseArgs(bad, spec); !errors.As(err, &ue) {
			t.Errorf("parseArgs(%q) = %v, want a usage error", bad, err)
		}
	}
}
