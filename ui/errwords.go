package ui

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"tincan/core/node"
)

// plainWords turns an error from the node into a sentence for a person: the
// reasons a user can act on in their own words, anything else as a plain
// "something went wrong" (the log keeps the details). It never shows
// package words or internal IDs.
func plainWords(err error) string {
	msg := err.Error()
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, node.ErrClosed):
		return "tincan is shutting down."
	case errors.Is(err, node.ErrUnknownContact):
		return "This contact is no longer in your list."
	case errors.Is(err, node.ErrEmptyMessage):
		return "The message is empty."
	case errors.Is(err, node.ErrRevoked):
		return "You revoked this contact: nothing is sent to them any more."
	case strings.Contains(msg, "message too long"):
		return "This message is too long (the limit is " + thousands(maxMessageBytes) + " characters)."
	case node.IsBadInput(err), errors.Is(err, node.ErrDiskFull),
		strings.Contains(msg, "keychain"), strings.Contains(msg, "keyring"):
		// Written for the user already, and naming what to do about it
		// (bad input, a full disk, a locked keychain).
		return sentence(strings.TrimSpace(msg))
	}
	return "Something went wrong inside tincan; the log has the details."
}

// plainError is what a dialog shows when doing what failed: "Could not send
// to Ana. This message is too long …". The whole error goes to the log.
func plainError(what string, err error) error {
	slog.Error(what, "err", err)
	return errors.New(what + ". " + plainWords(err))
}

// showPlainError shows plainError in a dialog over w.
func showPlainError(w fyne.Window, what string, err error) {
	dialog.ShowError(plainError(what, err), w)
}
