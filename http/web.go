package http

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/familyhub/familyhub/web"
)

// mountWeb serves the PWA (issue 8) at / on the root router: the embedded
// files of package web, and index.html for client-side routes (/shopping,
// /recipes/<id>, ...). Paths that belong to the server (/api, /ws, /sse,
// /dav, probes, /metrics, /.well-known) never fall back to the app: they
// get the server's JSON 404.
func (s *Server) mountWeb(r chi.Router) {
	notFound := func(w http.ResponseWriter, req *http.Request) {
		if m, ok := r.(interface{ NotFoundHandler() http.HandlerFunc }); ok {
			m.NotFoundHandler()(w, req)
			return
		}
		http.NotFound(w, req)
	}
	app := newWebApp(web.FS(), notFound)
	app.host = s.requestHost
	r.Get("/*", app.ServeHTTP)
	r.Head("/*", app.ServeHTTP)
}

// webApp serves a file tree held in memory, with content types, cache
// headers, ETags and the app's security headers.
type webApp struct {
	files    map[string]*webFile
	version  string
	notFound http.HandlerFunc
	host     func(*http.Request) string // the host the client asked for (Server.requestHost); nil: r.Host
}

type webFile struct {
	name  string
	body  []byte
	etag  string
	ctype string
	cache string
}

// webVersionMarker in sw.js is replaced by a hash of all files, so any
// change to the app changes the service worker's bytes: browsers then
// install the new worker, which caches the new shell.
const webVersionMarker = "__FAMILYHUB_WEB_VERSION__"

var webContentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".webmanifest": "application/manifest+json",
	".json":        "application/json",
	".png":         "image/png",
	".svg":         "image/svg+xml",
	".ico":         "image/x-icon",
	".txt":         "text/plain; charset=utf-8",
}

// serverPrefixes are path prefixes the app must never answer for.
var serverPrefixes = []string{"/api", "/ws", "/sse", "/dav", "/healthz", "/readyz", "/metrics", "/.well-known"}

func newWebApp(fsys fs.FS, notFound http.HandlerFunc) *webApp {
	a := &webApp{files: map[string]*webFile{}, notFound: notFound}
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		ctype, ok := webContentTypes[path.Ext(p)]
		if !ok {
			ctype = "application/octet-stream"
		}
		// Everything is revalidated (cheap: ETag, 304) so a new binary is
		// picked up at once; only the icons, whose names would change with
		// their design, are cached for a day.
		cache := "no-cache"
		if strings.HasPrefix(p, "icons/") {
			cache = "public, max-age=86400"
		}
		a.files["/"+p] = &webFile{name: p, body: body, ctype: ctype, cache: cache}
		names = append(names, p)
		return nil
	})
	if err != nil {
		panic("web: reading the embedded app: " + err.Error()) // embedded at build time
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write(a.files["/"+n].body)
	}
	a.version = hex.EncodeToString(h.Sum(nil))[:16]
	if sw := a.files["/sw.js"]; sw != nil {
		sw.body = bytes.ReplaceAll(sw.body, []byte(webVersionMarker), []byte(a.version))
	}
	for _, f := range a.files {
		sum := sha256.Sum256(f.body)
		f.etag = `"` + hex.EncodeToString(sum[:])[:20] + `"`
	}
	return a
}

func (a *webApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	for _, pre := range serverPrefixes {
		if p == pre || strings.HasPrefix(p, pre+"/") {
			a.notFound(w, r)
			return
		}
	}
	f := a.files[p]
	if p == "/" {
		f = a.files["/index.html"]
	}
	if f == nil {
		// A client-side route (/shopping/<id>) gets the app; a missing file
		// (/js/nope.js) gets a 404 rather than HTML under a script's name.
		if strings.Contains(path.Base(p), ".") {
			a.notFound(w, r)
			return
		}
		f = a.files["/index.html"]
	}
	if f == nil {
		a.notFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", f.cache)
	h.Set("ETag", f.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	host := r.Host
	if a.host != nil {
		host = a.host(r)
	}
	h.Set("Content-Security-Policy", contentSecurityPolicy(host))
	if f.name == "sw.js" {
		h.Set("Service-Worker-Allowed", "/")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}

var plainHost = regexp.MustCompile(`^[A-Za-z0-9.\-]+(:[0-9]+)?$|^\[[0-9A-Fa-f:.]+\](:[0-9]+)?$`)

// contentSecurityPolicy allows nothing but the app's own origin: no inline
// script or style, no other hosts. connect-src names the host's ws: and wss:
// explicitly because older browsers do not count them as 'self'.
func contentSecurityPolicy(host string) string {
	connect := "'self'"
	if plainHost.MatchString(host) {
		connect += " ws://" + host + " wss://" + host
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
		"connect-src " + connect + "; manifest-src 'self'; worker-src 'self'; object-src 'none'; " +
		"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}
