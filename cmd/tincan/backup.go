package main

import (
	"errors"
	"io"
)

// runBackup runs `tincan export FILE` and `tincan import FILE`.
// Placeholder until the backup package lands (issue 14): it refuses plainly.
func runBackup(cmd string, rest []string, stdout, stderr io.Writer) error {
	_, _, _ = rest, stdout, stderr
	return errors.New(cmd + " is not available in this build yet")
}
