package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"tincan/core/node"
)

// Errors written for the user keep their words (they say what to do);
// anything else becomes a plain sentence without package words.
func TestPlainWordsKeepWhatTheUserCanActOn(t *testing.T) {
	full := fmt.Errorf("%w: the message to Ben was not saved; free some space on the disk that holds HOME and try again", node.ErrDiskFull)
	if got := plainWords(full); !strings.HasPrefix(got, "The disk is full: the message to Ben was not saved") {
		t.Errorf("a full disk reads %q", got)
	}
	locked := errors.New("open identity: OS keychain unavailable: unlock your keyring or start with --keystore file")
	if got := plainWords(locked); !strings.Contains(got, "unlock your keyring") {
		t.Errorf("a locked keychain reads %q", got)
	}
	inner := errors.New("enqueue for contact 1: commit: sqlite3: constraint failed (787)")
	if got := plainWords(inner); strings.Contains(got, "sqlite") || strings.Contains(got, "contact 1") {
		t.Errorf("an internal error shows its insides: %q", got)
	}
}
