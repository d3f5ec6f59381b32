package http

import "github.com/go-chi/chi/v5"

// mountCalendar adds the calendar endpoints to the authenticated API router.
func (s *Server) mountCalendar(r chi.Router) {
}
