package discovery

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"tincan/core/identity"
)

// TokenEnv is the environment variable that hands tincan a Cloudflare API token.
const TokenEnv = "CLOUDFLARE_API_TOKEN"

// MaxTokenLen bounds an API token (Cloudflare's are 40 characters).
const MaxTokenLen = 256

// SecretStore keeps small secrets by account; identity.Keystore satisfies it.
type SecretStore interface {
	Get(account string) ([]byte, error)
	Set(account string, secret []byte) error
}

// ErrNoToken means no API token was given and none is stored.
var ErrNoToken = errors.New("no Cloudflare API token: set " + TokenEnv + " once to store one")

// ErrBadToken means an API token has characters that cannot go in an HTTP header, or is too long.
var ErrBadToken = errors.New("bad Cloudflare API token")

// TokenAccount returns the keystore account for the API token of the node in
// home. It is named by the home's ID (made on first use), not its path, so
// the token follows a home that moves.
func TokenAccount(home string) (string, error) {
	id, err := identity.HomeID(home)
	if err != nil {
		return "", fmt.Errorf("token account for %s: %w", home, err)
	}
	return tokenAccountPrefix + identity.AccountOf(id), nil
}

const tokenAccountPrefix = "cloudflare-api-token:"

// MigrateToken moves a token kept under home's path (as tincan did before
// home IDs) to the account TokenAccount names, keeping the original if the
// copy cannot be written and read back. No token under the path is no error.
func MigrateToken(ks identity.Keystore, home string) error {
	abs, err := filepath.Abs(home)
	if err != nil {
		return fmt.Errorf("token account for %s: %w", home, err)
	}
	acct, err := TokenAccount(abs)
	if err != nil {
		return err
	}
	if err := identity.MoveSecret(ks, tokenAccountPrefix+abs, acct); err != nil {
		return fmt.Errorf("move the Cloudflare API token to the home's ID: %w", err)
	}
	return nil
}

// CheckToken trims token and checks that it is a plausible API token:
// 1..MaxTokenLen visible ASCII characters.
func CheckToken(token string) (string, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return "", fmt.Errorf("%w: it is empty", ErrBadToken)
	}
	if len(token) > MaxTokenLen {
		return "", fmt.Errorf("%w: it is %d bytes long, at most %d are allowed", ErrBadToken, len(token), MaxTokenLen)
	}
	for i := 0; i < len(token); i++ {
		if c := token[i]; c <= ' ' || c > '~' {
			return "", fmt.Errorf("%w: byte %d is not a visible ASCII character", ErrBadToken, i)
		}
	}
	return token, nil
}

// SaveToken stores token under account.
func SaveToken(s SecretStore, account, token string) error {
	token, err := CheckToken(token)
	if err != nil {
		return err
	}
	if err := s.Set(account, []byte(token)); err != nil {
		return fmt.Errorf("store Cloudflare API token: %w", err)
	}
	return nil
}

// LoadToken returns the token stored under account, or ErrNoToken.
func LoadToken(s SecretStore, account string) (string, error) {
	b, err := s.Get(account)
	if errors.Is(err, identity.ErrNotFound) {
		return "", ErrNoToken
	}
	if err != nil {
		return "", fmt.Errorf("load Cloudflare API token: %w", err)
	}
	token, err := CheckToken(string(b))
	if err != nil {
		return "", fmt.Errorf("stored Cloudflare API token: %w", err)
	}
	return token, nil
}

// ResolveToken returns the API token to use: the value of TokenEnv (looked up
// with getenv) if set, which is then stored under account for later runs;
// otherwise the stored token; otherwise ErrNoToken.
func ResolveToken(s SecretStore, account string, getenv func(string) string) (string, error) {
	if env := getenv(TokenEnv); strings.TrimSpace(env) != "" {
		token, err := CheckToken(env)
		if err != nil {
			return "", fmt.Errorf("%s: %w", TokenEnv, err)
		}
		if stored, err := LoadToken(s, account); err == nil && stored == token {
			return token, nil
		}
		if err := SaveToken(s, account, token); err != nil {
			return "", err
		}
		return token, nil
	}
	return LoadToken(s, account)
}
