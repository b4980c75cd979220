package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is the release this binary is; FyneApp.toml's Version must match
// (version_test.go checks), and packaging may override it with
// -ldflags "-X main.version=…".
var version = "0.1.0"

// versionLine is what `tincan --version` prints: the version, the commit the
// binary was built from (with "+dirty" for uncommitted changes) and the
// platform.
func versionLine() string {
	commit, dirty := "unknown", ""
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
				if len(commit) > 12 {
					commit = commit[:12]
				}
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "+dirty"
				}
			}
		}
	}
	if commitOverride != "" {
		commit, dirty = commitOverride, ""
	}
	return fmt.Sprintf("tincan %s (commit %s%s, %s)", version, commit, dirty, platform())
}

// commitOverride is set by packaging builds (-X main.commitOverride=…) where
// the build has no .git to read the commit from.
var commitOverride = ""

func runVersion(stdout io.Writer) error {
	_, err := fmt.Fprintln(stdout, versionLine())
	return err
}

func platform() string { return runtime.GOOS + "/" + runtime.GOARCH }
