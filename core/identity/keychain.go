package identity

import (
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/zalando/go-keyring"
)

// KeychainService is the service name of tincan's entries in the OS keychain.
const KeychainService = "tincan"

// keychainFix tells the user how to get past an unavailable keychain.
const keychainFix = "start a Secret Service such as gnome-keyring and unlock it, or run with --keystore file"

// NewKeychain returns the Keystore backed by the OS keychain (Secret Service,
// macOS Keychain or Windows Credential Manager).
func NewKeychain() Keystore { return keychain{} }

type keychain struct{}

func (keychain) Kind() string { return "keychain" }

func (keychain) Get(account string) ([]byte, error) {
	s, err := keyring.Get(KeychainService, account)
	if err != nil {
		return nil, keychainErr("read", account, err)
	}
	secret, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("keychain entry %q for %s is not base64: %w", KeychainService, account, err)
	}
	return secret, nil
}

func (keychain) Set(account string, secret []byte) error {
	err := keyring.Set(KeychainService, account, base64.StdEncoding.EncodeToString(secret))
	if err != nil {
		return keychainErr("write", account, err)
	}
	return nil
}

func (keychain) Delete(account string) error {
	err := keyring.Delete(KeychainService, account)
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	if err != nil {
		return keychainErr("delete", account, err)
	}
	return nil
}

// keychainErr maps a go-keyring error to ErrNotFound or ErrKeychainUnavailable.
func keychainErr(op, account string, err error) error {
	if errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("keychain %s %s: %w", op, account, ErrNotFound)
	}
	return &unavailableError{op: op, account: account, cause: err}
}

// unavailableError wraps both ErrKeychainUnavailable and its cause, and its
// message names the fix.
type unavailableError struct {
	op, account string
	cause       error
}

func (e *unavailableError) Error() string {
	return fmt.Sprintf("%v (%s %s: %v): %s", ErrKeychainUnavailable, e.op, e.account, e.cause, keychainFix)
}

func (e *unavailableError) Unwrap() []error { return []error{ErrKeychainUnavailable, e.cause} }
