package http

import "github.com/go-chi/chi/v5"

// mountRecipes adds the recipes endpoints to the authenticated API router.
func (s *Server) mountRecipes(r chi.Router) {
}
