package http

import "github.com/go-chi/chi/v5"

// DAVConfig configures CalDAV (issue 6).
type DAVConfig struct{}

// mountDAV adds the CalDAV server (/dav/, /.well-known/caldav) to the root router.
func (s *Server) mountDAV(r chi.Router) {}

// mountDAVAPI adds the CalDAV management endpoints to the authenticated API router.
func (s *Server) mountDAVAPI(r chi.Router) {}
