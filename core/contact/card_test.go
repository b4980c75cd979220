package contact

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"strconv"
	"strings"
	"testing"

	"tincan/core/identity"
)

func TestRoundTrip(t *testing.T) {
	want := testCard(t)
	text := want.String()
	if !strings.HasPrefix(text, "tincan:1:") {
		t.Fatalf("card starts %q", text[:12])
	}
	if len(text) > MaxCardLen {
		t.Fatalf("card is %d characters", len(text))
	}
	data := strings.TrimPrefix(text, "tincan:1:")
	if strings.Trim(data, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
		t.Errorf("data part is not uppercase unpadded base32: %q", data)
	}
	got, err := Parse(text)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	sameCard(t, got, want)
	if got.Fingerprint() != want.Fingerprint() {
		t.Errorf("fingerprint changed")
	}

	noName := want
	noName.Name = ""
	got, err = Parse(noName.String())
	if err != nil {
		t.Fatalf("Parse of a nameless card: %v", err)
	}
	sameCard(t, got, noName)
}

func TestCardOf(t *testing.T) {
	k, _ := keys(t)
	id := &identity.Identity{Name: "Bob", Key: k, SecretID: identity.SecretID{1, 2, 3}}
	got, err := Parse(CardOf(id).String())
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Bob" || got.SecretID != id.SecretID || !got.PublicKey.Equal(id.Public()) {
		t.Errorf("CardOf round trip = %+v", got)
	}
}

// TestParseLenient checks the forms a card takes in transit: wrapped in an
// email, lowercased, uppercased for a QR code.
func TestParseLenient(t *testing.T) {
	c := testCard(t)
	text := c.String()
	var wrapped strings.Builder
	wrapped.WriteString("\n\t  ")
	for i := 0; i < len(text); i += 60 {
		wrapped.WriteString(text[i:min(i+60, len(text))])
		wrapped.WriteString("\r\n ")
	}
	forms := map[string]string{
		"qr":        c.QRText(),
		"lowercase": strings.ToLower(text),
		"wrapped":   wrapped.String(),
		"spaced":    "  " + strings.Replace(text, ":1:", ": 1 :\u00a0", 1) + "\n",
	}
	if !strings.HasPrefix(forms["qr"], "TINCAN:1:") || strings.ToUpper(forms["qr"]) != forms["qr"] {
		t.Errorf("QRText = %q..., want uppercase TINCAN:1:", forms["qr"][:12])
	}
	for name, s := range forms {
		got, err := Parse(s)
		if err != nil {
			t.Errorf("%s: Parse: %v", name, err)
			continue
		}
		sameCard(t, got, c)
	}
}

func TestParseDamage(t *testing.T) {
	c := testCard(t)
	text := c.String()
	data := strings.TrimPrefix(text, versionPrefix)
	_, weak := keys(t)
	weakText, err := encodeText(c.SecretID, "W", mustPKIX(t, &weak.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecText, err := encodeText(c.SecretID, "E", mustPKIX(t, &ec.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	der := mustPKIX(t, c.PublicKey)
	withName := func(name string) string {
		s, err := encodeText(c.SecretID, name, der)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	cases := []struct {
		name, in string
		want     error
		msg      string // substring of the message, if set
	}{
		{"empty", "", ErrPrefix, ""},
		{"spaces", " \n\t", ErrPrefix, ""},
		{"other scheme", "https://example.com/" + data, ErrPrefix, "https:"},
		{"missing colon", "tincan1:" + data, ErrPrefix, ""},
		{"text before", "my card: " + text, ErrPrefix, "character 10"},
		{"version 2", "tincan:2:" + data, ErrVersion, "version 2"},
		{"version 10", "TINCAN:10:" + data, ErrVersion, "newer tincan"},
		{"version 0", "tincan:0:" + data, ErrVersion, "does not exist"},
		{"no version", "tincan::" + data, ErrMalformed, "version"},
		{"huge version", "tincan:12345678:" + data, ErrMalformed, "too long"},
		{"no separator", "tincan:1" + data, ErrMalformed, "':'"},
		{"prefix only", "tincan:", ErrTruncated, ""},
		{"version only", "tincan:1", ErrTruncated, ""},
		{"no data", "tincan:1:", ErrTruncated, ""},
		{"digit zero", text[:40] + "0" + text[41:], ErrMalformed, "'0' at position 41"},
		{"digit one", text[:50] + "1" + text[51:], ErrMalformed, "letter I"},
		{"padding", text + "=", ErrMalformed, "padding"},
		{"unicode", text[:30] + "É" + text[31:], ErrMalformed, "'É' at position 31"},
		{"bang after wrap", text[:20] + "\n" + text[20:30] + "!" + text[31:], ErrMalformed, "position 32"},
		{"too long", text + strings.Repeat(" ", MaxCardLen), ErrMalformed, "at most"},
		{"short garbage", "tincan:1:AAAA", ErrTruncated, ""},
		{"long garbage", "tincan:1:" + strings.Repeat("QX7", 200), ErrTruncated, "34303 bytes"},
		{"zeros", "tincan:1:" + strings.Repeat("A", 800), ErrChecksum, ""},
		{"appended", text + "AB", ErrMalformed, "after the end"},
		{"appended one", text + "A", ErrMalformed, "after the end"},
		{"card twice", text + text[len(versionPrefix):], ErrMalformed, "after the end"},
		{"2048-bit key", weakText, ErrWeakKey, "2048 bits"},
		{"ecdsa key", ecText, ErrWeakKey, "not RSA"},
		{"name control char", withName("a\x07b"), ErrMalformed, "name"},
		{"name bad utf8", withName("a\xffb"), ErrMalformed, "UTF-8"},
		{"name too long", withName(strings.Repeat("n", MaxNameLen+1)), ErrMalformed, "65 bytes"},
		{"name padded", withName(" Al"), ErrMalformed, "space"},
		{"key garbage", mustText(t, c, "K", []byte("not a key")), ErrMalformed, "public key"},
	}
	for _, n := range []int{1, 2, 3, 5, 8, 13, 100, len(data) - 8} {
		cases = append(cases, struct {
			name, in string
			want     error
			msg      string
		}{"truncated by " + strconv.Itoa(n), text[:len(text)-n], ErrTruncated, ""})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Parse = %+v, %v; want %v", got, err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("message %q should mention %q", err, tc.msg)
			}
		})
	}
}

// TestParseEverySubstitution checks that a single mistyped character is
// always caught and reported as a checksum error.
func TestParseEverySubstitution(t *testing.T) {
	text := testCard(t).String()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	start := len(versionPrefix)
	checked := 0
	for i := start; i < len(text); i++ {
		// Every position near the ends (length field, last characters), a
		// sample in between.
		if i >= start+16 && i < len(text)-16 && (i-start)%11 != 0 {
			continue
		}
		for _, r := range alphabet {
			if byte(r) == text[i] {
				continue
			}
			bad := text[:i] + string(r) + text[i+1:]
			if _, err := Parse(bad); !errors.Is(err, ErrChecksum) {
				t.Fatalf("char %d %c->%c: Parse = %v, want ErrChecksum", i, text[i], r, err)
			}
			checked++
			if r != 'Q' {
				continue
			}
			if _, err := Parse(strings.ToLower(bad)); !errors.Is(err, ErrChecksum) {
				t.Fatalf("lowercase, char %d %c->%c: Parse = %v, want ErrChecksum", i, text[i], r, err)
			}
		}
	}
	if checked < 2500 {
		t.Errorf("only %d substitutions checked", checked)
	}
}

// TestParseTranspositionAndDeletion checks swapped and missing characters.
func TestParseTranspositionAndDeletion(t *testing.T) {
	text := testCard(t).String()
	start := len(versionPrefix)
	for i := start + 4; i < len(text)-1; i += 5 {
		if text[i] == text[i+1] {
			continue
		}
		swapped := text[:i] + text[i+1:i+2] + text[i:i+1] + text[i+2:]
		if _, err := Parse(swapped); !errors.Is(err, ErrChecksum) {
			t.Fatalf("swap at %d: Parse = %v, want ErrChecksum", i, err)
		}
	}
	for i := start; i < len(text); i += 11 {
		if _, err := Parse(text[:i] + text[i+1:]); err == nil {
			t.Fatalf("deleting character %d went unnoticed", i)
		}
		if _, err := Parse(text[:i] + "Q" + text[i:]); err == nil {
			t.Fatalf("inserting at %d went unnoticed", i)
		}
	}
}

func TestEncodeRejects(t *testing.T) {
	c := testCard(t)
	_, weak := keys(t)
	for name, tc := range map[string]struct {
		card Card
		want error
	}{
		"weak key":     {Card{Name: "x", PublicKey: &weak.PublicKey}, ErrWeakKey},
		"no key":       {Card{Name: "x"}, ErrWeakKey},
		"control name": {Card{Name: "a\nb", PublicKey: c.PublicKey}, ErrMalformed},
		"long name":    {Card{Name: strings.Repeat("x", 65), PublicKey: c.PublicKey}, ErrMalformed},
		"padded name":  {Card{Name: "x ", PublicKey: c.PublicKey}, ErrMalformed},
	} {
		if s, err := tc.card.Encode(); !errors.Is(err, tc.want) {
			t.Errorf("%s: Encode = %q, %v; want %v", name, s, err, tc.want)
		}
	}
	s := Card{}.String()
	if !strings.HasPrefix(s, "invalid card: ") {
		t.Errorf("String of a card without a key = %q", s)
	}
	if _, err := Parse(s); !errors.Is(err, ErrPrefix) {
		t.Errorf("Parse(%q) = %v, want ErrPrefix", s, err)
	}
}

func mustPKIX(t *testing.T, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func mustText(t *testing.T, c Card, name string, der []byte) string {
	t.Helper()
	s, err := encodeText(c.SecretID, name, der)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
