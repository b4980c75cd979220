//go:build linux

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSettled(t *testing.T) {
	for _, c := range []struct {
		v    *natView
		want bool
	}{
		{nil, false},
		{&natView{}, false},
		{&natView{Type: "unknown"}, false},
		{&natView{Type: "unknown", Error: "no overlay peers to ask yet"}, false},
		{&natView{Type: "port-restricted"}, true},
		{&natView{Type: "none"}, true},
	} {
		if got := settled(c.v); got != c.want {
			t.Errorf("settled(%+v) is %v, want %v", c.v, got, c.want)
		}
	}
}

func TestWriteDetectionLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pr-b.log")
	log := `time=1 level=INFO msg="node started"
time=2 level=INFO msg="NAT type not known yet, asking again" type=unknown probes="change-IP via 198.18.1.5:7448: blocked (no answer)"
time=3 level=DEBUG msg="partner probe sent" to=198.18.16.10:7448
time=4 level=INFO msg="link up"
time=5 level=INFO msg="NAT detected" type=port-restricted
`
	if err := os.WriteFile(path, []byte(log), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	writeDetectionLog(&out, "pr-b", path)
	got := out.String()
	for _, want := range []string{"NAT type not known yet", "partner probe sent", `msg="NAT detected"`} {
		if !strings.Contains(got, want) {
			t.Errorf("the detection log shown lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"node started", "link up"} {
		if strings.Contains(got, not) {
			t.Errorf("the detection log shown has the unrelated line %q:\n%s", not, got)
		}
	}
}
