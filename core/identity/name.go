package identity

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLen bounds a display name (bytes of UTF-8).
const MaxNameLen = 64

// ErrBadName means a display name is empty, too long, not UTF-8 or has control characters.
var ErrBadName = errors.New("bad display name")

// NormalizeName trims name and checks that it is a usable display name:
// 1..MaxNameLen bytes of UTF-8 with no control or text-direction characters.
func NormalizeName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", fmt.Errorf("%w: it is empty", ErrBadName)
	}
	if len(name) > MaxNameLen {
		return "", fmt.Errorf("%w: it is %d bytes long, at most %d are allowed", ErrBadName, len(name), MaxNameLen)
	}
	if !utf8.ValidString(name) {
		return "", fmt.Errorf("%w: it is not valid UTF-8", ErrBadName)
	}
	for i, r := range name {
		if forbiddenInName(r) {
			return "", fmt.Errorf("%w: control character %U at byte %d", ErrBadName, r, i)
		}
	}
	return name, nil
}

// forbiddenInName reports runes that could hide or reorder text in a name.
func forbiddenInName(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r == '\u2028' || r == '\u2029': // line and paragraph separators
		return true
	case r >= '\u202A' && r <= '\u202E': // bidi embeddings and overrides
		return true
	case r >= '\u2066' && r <= '\u2069': // bidi isolates
		return true
	case r == '\u200E' || r == '\u200F' || r == '\u061C': // direction marks
		return true
	}
	return false
}
