package http

import "github.com/go-chi/chi/v5"

// mountShopping adds the shopping endpoints to the authenticated API router.
func (s *Server) mountShopping(r chi.Router) {
}
