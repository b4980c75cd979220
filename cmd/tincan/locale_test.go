package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestCLIStderrIsOneLineInACUTF8Locale: Debian's default locale C.UTF-8 must
// not add Fyne's locale complaints to the CLI's one-line error.
func TestCLIStderrIsOneLineInACUTF8Locale(t *testing.T) {
	for _, env := range []string{"LANG=C.UTF-8", "LC_ALL=C.utf8", "LANG=C", ""} {
		cmd := exec.Command(bin, "--home", t.TempDir(), "id")
		cmd.Env = append(os.Environ(), "LANG=", "LC_ALL=", "LC_MESSAGES=", "LANGUAGE=")
		if env != "" {
			cmd.Env = append(cmd.Env, env)
		}
		var e bytes.Buffer
		cmd.Stderr = &e
		cmd.Run()
		if got := strings.TrimSpace(e.String()); strings.Count(got, "\n") != 0 || !strings.HasPrefix(got, "tincan: ") {
			t.Errorf("with %q stderr is %q; want one line", env, got)
		}
	}
}

// TestLocaleFixKnowsEveryValueFlag: the C constructor must skip the same
// flag values as splitCommand, or a value could be taken for a command word.
func TestLocaleFixKnowsEveryValueFlag(t *testing.T) {
	src, err := os.ReadFile("locale_linux.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range valueFlags {
		if !strings.Contains(string(src), `"`+f+`"`) {
			t.Errorf("locale_linux.go's tincan_value_flags lacks %q", f)
		}
	}
}
