//go:build linux

package ui

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/png" // the app icon is a PNG

	"fyne.io/fyne/v2"
)

// notifyIconSize is the side of the icon sent with a call's notification.
const notifyIconSize = 64

// notifyImage is the freedesktop "image-data" hint, (iiibiiay): RGBA rows
// of 8-bit samples, not premultiplied.
type notifyImage struct {
	Width, Height, Rowstride int32
	HasAlpha                 bool
	BitsPerSample, Channels  int32
	Data                     []byte
}

// iconImage decodes res and scales it to side x side pixels by averaging
// (a box filter), for the notification's image-data hint.
func iconImage(res fyne.Resource, side int) (notifyImage, error) {
	src, _, err := image.Decode(bytes.NewReader(res.Content()))
	if err != nil {
		return notifyImage{}, fmt.Errorf("decode icon %s: %w", res.Name(), err)
	}
	b := src.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 || side <= 0 {
		return notifyImage{}, fmt.Errorf("icon %s: empty", res.Name())
	}
	out := make([]byte, 0, side*side*4)
	for y := range side {
		y0, y1 := b.Min.Y+y*b.Dy()/side, b.Min.Y+(y+1)*b.Dy()/side
		y1 = max(y1, y0+1)
		for x := range side {
			x0, x1 := b.Min.X+x*b.Dx()/side, b.Min.X+(x+1)*b.Dx()/side
			x1 = max(x1, x0+1)
			px := boxAverage(src, x0, y0, x1, y1)
			out = append(out, px[:]...)
		}
	}
	return notifyImage{Width: int32(side), Height: int32(side), Rowstride: int32(side * 4), HasAlpha: true,
		BitsPerSample: 8, Channels: 4, Data: out}, nil
}

// boxAverage is the mean colour of src over [x0,x1)x[y0,y1), averaged
// premultiplied and returned as non-premultiplied 8-bit RGBA.
func boxAverage(src image.Image, x0, y0, x1, y1 int) [4]byte {
	var r, g, b, a, n uint64
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			cr, cg, cb, ca := src.At(x, y).RGBA()
			r, g, b, a, n = r+uint64(cr), g+uint64(cg), b+uint64(cb), a+uint64(ca), n+1
		}
	}
	c := color.NRGBA64Model.Convert(color.RGBA64{R: uint16(r / n), G: uint16(g / n), B: uint16(b / n),
		A: uint16(a / n)}).(color.NRGBA64)
	return [4]byte{byte(c.R >> 8), byte(c.G >> 8), byte(c.B >> 8), byte(c.A >> 8)}
}
