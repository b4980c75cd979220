// Command gen draws tincan's application icon (two tin cans joined by a
// string) and writes it as a 256x256 PNG. Run it from the repository root:
//
//	go run ./assets/gen
//
// It must never be imported; it only regenerates assets/icon.png.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"math"
	"os"
)

const (
	size = 256 // output width and height in pixels
	ss   = 4   // supersamples per axis
)

type rgba struct{ r, g, b, a float64 }

func over(dst, src rgba) rgba {
	a := src.a + dst.a*(1-src.a)
	if a == 0 {
		return rgba{}
	}
	mix := func(s, d float64) float64 { return (s*src.a + d*dst.a*(1-src.a)) / a }
	return rgba{mix(src.r, dst.r), mix(src.g, dst.g), mix(src.b, dst.b), a}
}

func lerp(a, b rgba, t float64) rgba {
	t = math.Max(0, math.Min(1, t))
	return rgba{a.r + (b.r-a.r)*t, a.g + (b.g-a.g)*t, a.b + (b.b-a.b)*t, a.a + (b.a-a.a)*t}
}

func hex(v uint32) rgba {
	return rgba{float64(v>>16&0xff) / 255, float64(v>>8&0xff) / 255, float64(v&0xff) / 255, 1}
}

// can is a tin can seen from the side: its closed bottom at (bx, by), its
// open end at distance length along (dx, dy).
type can struct {
	bx, by, dx, dy, length, radius float64
}

// at returns the can's colour at (x, y), or false outside it.
func (c can) at(x, y float64) (rgba, bool) {
	px, py := x-c.bx, y-c.by
	u := px*c.dx + py*c.dy  // along the axis
	v := -px*c.dy + py*c.dx // across it
	if math.Abs(v) > c.radius {
		return rgba{}, false
	}
	ea := c.radius * 0.38 // ellipse semi-axis along the can's axis
	// open end: rim and dark inside
	if eu := (u - c.length) / ea; eu*eu+(v/c.radius)*(v/c.radius) <= 1 {
		in := (u - c.length) / (ea * 0.8)
		iv := v / (c.radius * 0.86)
		if in*in+iv*iv <= 1 {
			return lerp(hex(0x2b3136), hex(0x4a535b), (v/c.radius+1)/2), true
		}
		return hex(0xf1f4f6), true
	}
	inBody := u >= 0 && u <= c.length
	if eu := u / ea; !inBody && eu*eu+(v/c.radius)*(v/c.radius) > 1 {
		return rgba{}, false
	}
	if u > c.length {
		return rgba{}, false
	}
	// metal shading across the can, with two ridges
	t := (v/c.radius + 1) / 2
	light, mid, dark := hex(0xf4f6f8), hex(0xb9c2ca), hex(0x7d8891)
	var col rgba
	if t < 0.3 {
		col = lerp(mid, light, t/0.3)
	} else {
		col = lerp(light, dark, (t-0.3)/0.7)
	}
	for _, r := range []float64{0.3, 0.62} {
		if d := math.Abs(u - c.length*r); d < 2.2 {
			col = lerp(col, hex(0x6b757e), 0.55*(1-d/2.2))
		}
	}
	return col, true
}

// stringDist is the distance from (x, y) to a quadratic Bézier curve.
func stringDist(x, y float64, p0, p1, p2 [2]float64) float64 {
	best := math.Inf(1)
	const n = 200
	for i := 0; i <= n; i++ {
		t := float64(i) / n
		a, b, c := (1-t)*(1-t), 2*(1-t)*t, t*t
		qx := a*p0[0] + b*p1[0] + c*p2[0]
		qy := a*p0[1] + b*p1[1] + c*p2[1]
		if d := math.Hypot(x-qx, y-qy); d < best {
			best = d
		}
	}
	return best
}

func roundedSquare(x, y, r float64) bool {
	cx := math.Max(r, math.Min(size-r, x))
	cy := math.Max(r, math.Min(size-r, y))
	return math.Hypot(x-cx, y-cy) <= r
}

func sample(x, y float64, cans []can, p0, p1, p2 [2]float64) rgba {
	var out rgba
	if !roundedSquare(x, y, 52) {
		return out
	}
	out = lerp(hex(0x26b3a8), hex(0x11707f), y/size)
	if d := stringDist(x, y, p0, p1, p2); d < 3 {
		out = over(out, rgba{0.99, 0.95, 0.84, 1})
	} else if d < 4.5 {
		out = over(out, rgba{0.2, 0.2, 0.2, 0.25})
	}
	for _, c := range cans {
		if col, ok := c.at(x, y); ok {
			out = over(out, col)
		}
	}
	return out
}

func norm(x, y float64) (float64, float64) {
	l := math.Hypot(x, y)
	return x / l, y / l
}

func draw() *image.NRGBA {
	ldx, ldy := norm(-1, -0.5)
	rdx, rdy := norm(1, -0.5)
	cans := []can{
		{bx: 84, by: 136, dx: ldx, dy: ldy, length: 56, radius: 30},
		{bx: 172, by: 136, dx: rdx, dy: rdy, length: 56, radius: 30},
	}
	p0, p1, p2 := [2]float64{84, 136}, [2]float64{128, 212}, [2]float64{172, 136}
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var acc rgba
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := float64(px) + (float64(sx)+0.5)/ss
					y := float64(py) + (float64(sy)+0.5)/ss
					c := sample(x, y, cans, p0, p1, p2)
					acc.r += c.r * c.a
					acc.g += c.g * c.a
					acc.b += c.b * c.a
					acc.a += c.a
				}
			}
			if acc.a == 0 {
				continue
			}
			n := float64(ss * ss)
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(math.Round(acc.r / acc.a * 255)),
				G: uint8(math.Round(acc.g / acc.a * 255)),
				B: uint8(math.Round(acc.b / acc.a * 255)),
				A: uint8(math.Round(acc.a / n * 255)),
			})
		}
	}
	return img
}

func main() {
	out := flag.String("o", "assets/icon.png", "output PNG file")
	flag.Parse()
	if err := write(*out); err != nil {
		slog.Error("icon", "err", err)
		os.Exit(1)
	}
}

func write(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := png.Encode(f, draw()); err != nil {
		f.Close()
		return fmt.Errorf("encode %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}
