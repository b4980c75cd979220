package node

import "errors"

// Errors callers decide on.
var (
	// ErrSelf means the card given is the user's own.
	ErrSelf = errors.New("that is your own card")
	// ErrUnknownContact means no contact has the given name.
	ErrUnknownContact = errors.New("no such contact")
	// ErrEmptyMessage means the text to send is empty.
	ErrEmptyMessage = errors.New("message is empty")
	// ErrClosed means the node has been closed.
	ErrClosed = errors.New("node is closed")
)

// inputError marks an error caused by what the user gave (exit code 2).
type inputError struct{ err error }

func (e inputError) Error() string { return e.err.Error() }
func (e inputError) Unwrap() error { return e.err }

// badInput marks err as caused by the caller's input.
func badInput(err error) error { return inputError{err} }

// IsBadInput reports whether err was caused by the caller's input (a mangled
// card, an unknown contact, an empty message) rather than a failure.
func IsBadInput(err error) bool {
	var ie inputError
	return errors.As(err, &ie)
}
