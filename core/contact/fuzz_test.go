package contact

import (
	"errors"
	"strings"
	"testing"
	"unicode"
)

// FuzzParse checks that Parse never panics, always returns one of the
// sentinels on failure, and that an accepted card has exactly one encoding.
func FuzzParse(f *testing.F) {
	f.Add("tincan:1:")
	f.Add("TINCAN:2:AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			for _, e := range []error{ErrPrefix, ErrVersion, ErrChecksum, ErrTruncated, ErrWeakKey, ErrMalformed} {
				if errors.Is(err, e) {
					return
				}
			}
			t.Fatalf("Parse(%q) error %v wraps no sentinel", s, err)
		}
		text, err := c.Encode()
		if err != nil {
			t.Fatalf("accepted card does not encode: %v", err)
		}
		in := strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return unicode.ToUpper(r)
		}, s)
		if _, data, _ := strings.Cut(in[len(Prefix):], ":"); data != strings.ToUpper(text[len(versionPrefix):]) {
			t.Fatalf("Parse(%q) accepted a second encoding of %q", s, text)
		}
		c2, err := Parse(text)
		if err != nil {
			t.Fatalf("re-encoded card does not parse: %v", err)
		}
		sameCard(t, c2, c)
	})
}
