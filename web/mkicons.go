//go:build ignore

// mkicons draws the app's icons (a white house on FamilyHub green) into
// static/icons. Run it with `go generate ./web` after changing the design;
// the PNGs are committed.
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

var (
	green = color.NRGBA{0x2f, 0x6f, 0x5e, 0xff}
	white = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	clear = color.NRGBA{}
)

func main() {
	write("static/icons/icon-192.png", draw(192, false))
	write("static/icons/icon-512.png", draw(512, false))
	write("static/icons/maskable-192.png", draw(192, true))
	write("static/icons/maskable-512.png", draw(512, true))
}

// draw renders the icon at size px. A maskable icon fills the square and
// keeps the house inside the central safe zone (80% circle).
func draw(size int, maskable bool) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	s := float64(size)
	radius := 0.22 * s
	scale := 0.62
	if maskable {
		radius, scale = 0, 0.46
	}
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			// 4x4 supersampling for smooth edges.
			var bg, fg float64
			for sy := 0; sy < 4; sy++ {
				for sx := 0; sx < 4; sx++ {
					px, py := float64(x)+(float64(sx)+0.5)/4, float64(y)+(float64(sy)+0.5)/4
					if inRounded(px, py, s, radius) {
						bg++
						// House coordinates in [-0.5, 0.5].
						hx, hy := (px/s-0.5)/scale, (py/s-0.5)/scale
						if inHouse(hx, hy) {
							fg++
						}
					}
				}
			}
			bg, fg = bg/16, fg/16
			c := blend(green, white, fg/math.Max(bg, 1e-9))
			c.A = uint8(255 * bg)
			if bg == 0 {
				c = clear
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func inRounded(x, y, s, r float64) bool {
	cx, cy := math.Max(r, math.Min(s-r, x)), math.Max(r, math.Min(s-r, y))
	return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r+1e-9
}

// inHouse: a roof (triangle), a body (rectangle) and a door (cut out).
func inHouse(x, y float64) bool {
	roof := y >= -0.5 && y <= -0.02 && math.Abs(x) <= (y+0.5)*1.05
	body := x >= -0.36 && x <= 0.36 && y > -0.05 && y <= 0.45
	door := x >= -0.09 && x <= 0.09 && y >= 0.16 && y <= 0.45
	return (roof || body) && !door
}

func blend(a, b color.NRGBA, t float64) color.NRGBA {
	mix := func(p, q uint8) uint8 { return uint8(float64(p)*(1-t) + float64(q)*t + 0.5) }
	return color.NRGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}

func write(path string, img image.Image) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
