package identity

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeName(t *testing.T) {
	good := []struct{ in, want string }{
		{"Alice", "Alice"},
		{"  Bob Smith\t\n", "Bob Smith"},
		{"Zoë 李", "Zoë 李"},
		{strings.Repeat("é", MaxNameLen/2), strings.Repeat("é", MaxNameLen/2)},
	}
	for _, c := range good {
		got, err := NormalizeName(c.in)
		if err != nil || got != c.want {
			t.Errorf("NormalizeName(%q) = %q, %v; want %q, nil", c.in, got, err, c.want)
		}
	}
	bad := []string{
		"",
		"   \t ",
		strings.Repeat("a", MaxNameLen+1),
		strings.Repeat("é", MaxNameLen/2) + "x", // 65 bytes
		"bad\xffutf8",
		"nul\x00byte",
		"two\nlines",
		"tab\tinside",
		"bell\a",
		"del\x7f",
		"c1\u0085control",
		"evil\u202Egnp.exe",
		"iso\u2066late",
		"line\u2028sep",
	}
	for _, in := range bad {
		got, err := NormalizeName(in)
		if !errors.Is(err, ErrBadName) {
			t.Errorf("NormalizeName(%q) = %q, %v; want ErrBadName", in, got, err)
		}
	}
}

func TestGenerateRejectsBadName(t *testing.T) {
	for _, in := range []string{"", "a\x00b", strings.Repeat("x", 100)} {
		id, err := Generate(in)
		if !errors.Is(err, ErrBadName) || id != nil {
			t.Errorf("Generate(%q) = %v, %v; want nil, ErrBadName", in, id, err)
		}
	}
}

func TestGenerate(t *testing.T) {
	id := testIdentity(t)
	if id.Name != "Alice Test" {
		t.Errorf("name = %q", id.Name)
	}
	if bits := id.Key.N.BitLen(); bits != KeyBits {
		t.Errorf("key has %d bits, want %d", bits, KeyBits)
	}
	if err := id.Key.Validate(); err != nil {
		t.Errorf("key invalid: %v", err)
	}
	if id.SecretID == (SecretID{}) {
		t.Errorf("secret ID is all zero")
	}
	if id.Fingerprint() != FingerprintOf(&id.Key.PublicKey) {
		t.Errorf("fingerprint mismatch")
	}
}
