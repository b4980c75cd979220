package assets

import (
	"bytes"
	"image/png"
	"testing"
)

func TestIconIsA256PNGWithTransparentCorners(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(Icon.Content()))
	if err != nil {
		t.Fatalf("icon is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 256 || b.Dy() != 256 {
		t.Fatalf("icon is %v, want 256x256", b)
	}
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Fatal("the rounded corner should be transparent")
	}
	if _, _, _, a := img.At(128, 128).RGBA(); a != 0xffff {
		t.Fatal("the middle should be opaque")
	}
}
