package memnet

import (
	"bytes"
	"errors"
	"testing"

	"tincan/core/overlay"
)

func flipLast(b []byte) []byte {
	c := bytes.Clone(b)
	c[len(c)-1] ^= 0x01
	return c
}

func TestStandInKeyCountsAndChecks(t *testing.T) {
	a, b := NewStandInKey(1), NewStandInKey(2)
	env, _ := a.Seal([]byte("hello"), []byte("aad"))
	if pt, err := a.Open(env, []byte("aad")); err != nil || string(pt) != "hello" {
		t.Fatalf("open: %q %v", pt, err)
	}
	if _, err := b.Open(env, []byte("aad")); !errors.Is(err, overlay.ErrOpen) {
		t.Fatal("another stand-in key opened it")
	}
	if _, err := a.Open(env, []byte("other")); !errors.Is(err, overlay.ErrOpen) {
		t.Fatal("opened with other aad")
	}
	if _, err := a.Open(flipLast(env), []byte("aad")); !errors.Is(err, overlay.ErrOpen) {
		t.Fatal("opened tampered")
	}
	if a.Opens() != 3 || b.Opens() != 1 {
		t.Fatalf("opens counted %d and %d, want 3 and 1", a.Opens(), b.Opens())
	}
}
