package http

import "github.com/go-chi/chi/v5"

// AssistantConfig configures the assistant (issue 7).
type AssistantConfig struct{}

// mountAssistant adds the assistant endpoints to the authenticated API router.
func (s *Server) mountAssistant(r chi.Router) {}
