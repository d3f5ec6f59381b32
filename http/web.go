package http

import "github.com/go-chi/chi/v5"

// mountWeb serves the PWA (issue 8) at / on the root router.
func (s *Server) mountWeb(r chi.Router) {}
