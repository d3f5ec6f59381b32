package http

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestWebServesApp(t *testing.T) {
	env := newTestEnv(t, Config{})
	get := func(path string, hdr ...string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", env.ts.URL+path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	cases := []struct {
		path, status, ctype, cache, body string
	}{
		{"/", "200", "text/html; charset=utf-8", "no-cache", "<title>FamilyHub</title>"},
		{"/index.html", "200", "text/html; charset=utf-8", "no-cache", `src="/js/app.js"`},
		{"/shopping/5b1c0000-0000-0000-0000-000000000000", "200", "text/html; charset=utf-8", "no-cache", "<title>FamilyHub</title>"},
		{"/recipes/new", "200", "text/html; charset=utf-8", "no-cache", "<title>FamilyHub</title>"},
		{"/js/realtime.js", "200", "text/javascript; charset=utf-8", "no-cache", "export class RealtimeClient"},
		{"/app.css", "200", "text/css; charset=utf-8", "no-cache", "prefers-color-scheme: dark"},
		{"/sw.js", "200", "text/javascript; charset=utf-8", "no-cache", "familyhub-shell-"},
		{"/manifest.webmanifest", "200", "application/manifest+json", "no-cache", `"maskable"`},
		{"/icons/icon-512.png", "200", "image/png", "public, max-age=86400", "\x89PNG"},
		// Missing files are not the app; server paths keep their JSON 404.
		{"/js/nope.js", "404", "application/json", "", `"not_found"`},
		{"/api/nope", "404", "application/json", "", `"not_found"`},
		{"/ws/x", "404", "application/json", "", `"not_found"`},
		{"/sse/x", "404", "application/json", "", `"not_found"`},
		{"/.well-known/nope", "404", "application/json", "", `"not_found"`},
		{"/ical/0123456789abcdef.ics", "404", "", "", ""},
		{"/metricsx", "200", "text/html; charset=utf-8", "no-cache", "<title>FamilyHub</title>"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := get(tc.path)
			if got := resp.Status[:3]; got != tc.status {
				t.Fatalf("status = %s, want %s", resp.Status, tc.status)
			}
			if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, tc.ctype) {
				t.Errorf("Content-Type = %q, want %q", got, tc.ctype)
			}
			if tc.cache != "" && resp.Header.Get("Cache-Control") != tc.cache {
				t.Errorf("Cache-Control = %q, want %q", resp.Header.Get("Cache-Control"), tc.cache)
			}
			if !strings.Contains(body, tc.body) {
				t.Errorf("body does not contain %q", tc.body)
			}
			if tc.status == "200" {
				csp := resp.Header.Get("Content-Security-Policy")
				for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "connect-src 'self' ws://" + resp.Request.URL.Host} {
					if !strings.Contains(csp, want) {
						t.Errorf("CSP %q lacks %q", csp, want)
					}
				}
			}
			// Every answer, the app's and the API's errors alike.
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no nosniff")
			}
		})
	}

	t.Run("sw.js carries the app's version", func(t *testing.T) {
		_, body := get("/sw.js")
		if strings.Contains(body, webVersionMarker) {
			t.Fatal("version marker not replaced")
		}
	})
	t.Run("ETag revalidation", func(t *testing.T) {
		resp, _ := get("/js/app.js")
		etag := resp.Header.Get("ETag")
		if etag == "" {
			t.Fatal("no ETag")
		}
		resp, body := get("/js/app.js", "If-None-Match", etag)
		if resp.StatusCode != http.StatusNotModified || body != "" {
			t.Fatalf("revalidation = %d with %d bytes, want 304", resp.StatusCode, len(body))
		}
	})
	t.Run("HEAD", func(t *testing.T) {
		resp, err := http.Head(env.ts.URL + "/tasks")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("HEAD /tasks = %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	})
	t.Run("writes are not the app", func(t *testing.T) {
		resp, err := http.Post(env.ts.URL+"/shopping", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("POST /shopping = %d, want 405", resp.StatusCode)
		}
	})
}

func TestLogPathHidesFeedSecret(t *testing.T) {
	for path, want := range map[string]string{
		"/ical/s3cr3t-token.ics": "/ical/…",
		"/api/shopping/lists/x":  "/api/shopping/lists/x",
	} {
		r, _ := http.NewRequest("GET", "http://x"+path, nil)
		if got := logPath(r); got != want {
			t.Errorf("logPath(%s) = %q, want %q", path, got, want)
		}
	}
}
