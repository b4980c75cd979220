package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
)

func TestVersionMatchesFyneAppToml(t *testing.T) {
	raw, err := os.ReadFile("../../FyneApp.toml")
	if err != nil {
		t.Fatalf("read FyneApp.toml: %v", err)
	}
	m := regexp.MustCompile(`(?m)^\s*Version\s*=\s*"([^"]+)"`).FindSubmatch(raw)
	if m == nil {
		t.Fatal("FyneApp.toml has no Version line")
	}
	if string(m[1]) != version {
		t.Fatalf("FyneApp.toml says version %s but the binary says %s: keep them equal", m[1], version)
	}
}

func TestVersionFlagPrintsVersionAndCommit(t *testing.T) {
	for _, arg := range []string{"--version", "version", "-v"} {
		var out, errb bytes.Buffer
		if code := run([]string{arg}, &out, &errb); code != 0 {
			t.Fatalf("tincan %s exited %d: %s", arg, code, errb.String())
		}
		line := out.String()
		if !strings.HasPrefix(line, "tincan "+version+" (commit ") {
			t.Fatalf("tincan %s printed %q, want it to start with the version and commit", arg, line)
		}
	}
}
