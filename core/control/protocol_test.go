package control

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestDecodeRequestLimits(t *testing.T) {
	big := `{"cmd":"send","text":"` + strings.Repeat("x", MaxRequest) + `"}`
	if _, err := DecodeRequest(strings.NewReader(big)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversized request: %v, want ErrTooLarge", err)
	}
	if _, err := DecodeRequest(strings.NewReader(`{"name":"x"}`)); err == nil {
		t.Fatal("request without a command accepted")
	}
	if _, err := DecodeRequest(strings.NewReader(`{"cmd":`)); err == nil {
		t.Fatal("truncated JSON accepted")
	}
	req, err := DecodeRequest(strings.NewReader(`{"cmd":"send","name":"Ben","text":"hi"}`))
	if err != nil || req.Cmd != "send" || req.Name != "Ben" || req.Text != "hi" {
		t.Fatalf("valid request: %+v, %v", req, err)
	}
}

func FuzzDecodeRequest(f *testing.F) {
	f.Add([]byte(`{"cmd":"send","name":"Ben","text":"hi"}`))
	f.Add([]byte(`{"cmd":"history","name":"Ben","limit":-1}`))
	f.Add([]byte(`{"cmd":""}`))
	f.Add([]byte(`[1,2,3]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := DecodeRequest(bytes.NewReader(data))
		if err == nil && req.Cmd == "" {
			t.Fatal("accepted a request with no command")
		}
		if len(data) > MaxRequest && err == nil {
			t.Fatal("accepted an oversized request")
		}
	})
}
