package http

import "github.com/go-chi/chi/v5"

// mountTasks adds the tasks endpoints to the authenticated API router.
func (s *Server) mountTasks(r chi.Router) {
}
