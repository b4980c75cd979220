package identity

import (
	"bytes"
	"errors"
	"testing"
)

func TestPayloadRoundTrip(t *testing.T) {
	id := testIdentity(t)
	b, err := marshalIdentity(id)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseIdentity(b)
	if err != nil {
		t.Fatalf("parseIdentity: %v", err)
	}
	sameIdentity(t, got, id)
	for _, cut := range []int{0, 1, 5, len(b) - 1} {
		if _, err := parseIdentity(b[:cut]); !errors.Is(err, errPayload) {
			t.Errorf("parse of first %d bytes: %v, want errPayload", cut, err)
		}
	}
	if _, err := parseIdentity(append(bytes.Clone(b), 0)); !errors.Is(err, errPayload) {
		t.Errorf("parse with a trailing byte: %v, want errPayload", err)
	}
}

// FuzzParseIdentity checks that the unsealed-identity decoder never panics
// and that whatever it accepts survives a re-encoding unchanged.
func FuzzParseIdentity(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{3, 'B', 'o', 'b'})
	f.Fuzz(func(t *testing.T, b []byte) {
		id, err := parseIdentity(b)
		if err != nil {
			if !errors.Is(err, errPayload) {
				t.Fatalf("error %v does not wrap errPayload", err)
			}
			return
		}
		again, err := marshalIdentity(id)
		if err != nil {
			t.Fatalf("accepted identity does not marshal: %v", err)
		}
		id2, err := parseIdentity(again)
		if err != nil {
			t.Fatalf("re-encoded identity does not parse: %v", err)
		}
		sameIdentity(t, id2, id)
	})
}
