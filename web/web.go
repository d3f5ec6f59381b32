// Package web holds the PWA (HTML, CSS, JavaScript modules, icons, the
// service worker and the manifest), embedded in the binary. There is no
// build step: what is in static/ is what browsers get. http/web.go serves it.
package web

import (
	"embed"
	"io/fs"
)

//go:generate go run mkicons.go

//go:embed static
var static embed.FS

// FS returns the app's files rooted at the app's top (index.html, sw.js,
// js/, icons/, ...).
func FS() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // "static" is embedded above: cannot happen
	}
	return sub
}
