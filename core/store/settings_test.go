package store

import (
	"context"
	"errors"
	"testing"
)

func TestSettings(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	if v, err := s.Setting(ctx, "port"); !errors.Is(err, ErrNotFound) || v != "" {
		t.Errorf("missing setting: %q, %v", v, err)
	}
	if err := s.SetSetting(ctx, "port", "7000"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "port", "7001"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "empty", ""); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Setting(ctx, "port"); err != nil || v != "7001" {
		t.Errorf("port %q, %v", v, err)
	}
	if v, err := s.Setting(ctx, "empty"); err != nil || v != "" {
		t.Errorf("empty %q, %v", v, err)
	}
}
