package relay

import (
	"bytes"
	"errors"
	"testing"
)

func TestRequestRoundTrip(t *testing.T) {
	var tok Token
	for i := range tok {
		tok[i] = byte(i * 7)
	}
	b := appendRequest(nil, tok)
	if len(b) != requestSize {
		t.Fatalf("request is %d bytes, want %d", len(b), requestSize)
	}
	got, err := parseRequest(b)
	if err != nil || got != tok {
		t.Fatalf("parse: %x, %v", got, err)
	}
	for _, bad := range [][]byte{nil, b[:requestSize-1], append(bytes.Clone(b), 0)} {
		if _, err := parseRequest(bad); !errors.Is(err, errMalformed) {
			t.Fatalf("%d bytes: err %v", len(bad), err)
		}
	}
	for i := range 4 { // every header byte matters
		bad := bytes.Clone(b)
		bad[i] ^= 0x40
		if _, err := parseRequest(bad); !errors.Is(err, errMalformed) {
			t.Fatalf("header byte %d flipped: err %v", i, err)
		}
	}
}

func TestResponseRoundTrip(t *testing.T) {
	names := map[string]bool{}
	for st := statusOK; st < statusCount; st++ {
		names[st.String()] = true
		got, err := parseResponse(appendResponse(nil, st))
		if err != nil || got != st {
			t.Fatalf("%v: got %v, %v", st, got, err)
		}
	}
	if len(names) != int(statusCount) || names[statusCount.String()] {
		t.Fatalf("status names not distinct: %v", names)
	}
	for _, bad := range [][]byte{nil, {version}, {version, 0, 0}, {version + 1, 0}, {version, byte(statusCount)}} {
		if _, err := parseResponse(bad); !errors.Is(err, errMalformed) {
			t.Fatalf("%x: err %v", bad, err)
		}
	}
}

func FuzzParseRequest(f *testing.F) {
	f.Add(appendRequest(nil, Token{}))
	f.Add(appendRequest(nil, Token{1, 2, 3}))
	f.Add([]byte("tr"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := parseRequest(b)
		if err != nil {
			if !errors.Is(err, errMalformed) {
				t.Fatalf("error not errMalformed: %v", err)
			}
			return
		}
		if !bytes.Equal(appendRequest(nil, tok), b) {
			t.Fatalf("accepted %x, which does not re-encode to itself", b)
		}
	})
}

func FuzzParseResponse(f *testing.F) {
	f.Add(appendResponse(nil, statusOK))
	f.Add(appendResponse(nil, statusTimeout))
	f.Add([]byte{version, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := parseResponse(b)
		if err != nil {
			if !errors.Is(err, errMalformed) {
				t.Fatalf("error not errMalformed: %v", err)
			}
			return
		}
		if !bytes.Equal(appendResponse(nil, st), b) {
			t.Fatalf("accepted %x, which does not re-encode to itself", b)
		}
		if statusErr(st) == nil && st != statusOK {
			t.Fatalf("status %v maps to no error", st)
		}
	})
}
