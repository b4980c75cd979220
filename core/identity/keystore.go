package identity

import "errors"

// Keystore keeps small secrets (tincan's master keys), one per account.
type Keystore interface {
	// Get returns the secret stored for account, or ErrNotFound.
	Get(account string) ([]byte, error)
	// Set stores secret for account, replacing any earlier one.
	Set(account string, secret []byte) error
	// Delete removes account's secret; a missing one is not an error.
	Delete(account string) error
	// Kind names the backend for status output: "keychain" or "file".
	Kind() string
}

// ErrNotFound means the keystore holds no secret for the account.
var ErrNotFound = errors.New("keystore: no secret for this account")

// ErrKeychainUnavailable means the OS keychain cannot be reached or is locked.
// Its message (wrapped) always names the fix.
var ErrKeychainUnavailable = errors.New("OS keychain unavailable")
