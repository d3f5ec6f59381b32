package main

import (
	"flag"
	"os"

	"github.com/familyhub/familyhub/http"
)

// assistantFlags registers the assistant's optional language model. Without
// a URL the built-in parser answers every command.
func (c *Config) assistantFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Assistant.URL, "assistant-url", os.Getenv("FAMILYHUB_ASSISTANT_URL"),
		"OpenAI-compatible API URL for the assistant, e.g. https://api.openai.com/v1; empty: built-in parser only (env FAMILYHUB_ASSISTANT_URL)")
	fs.StringVar(&c.Assistant.Model, "assistant-model", os.Getenv("FAMILYHUB_ASSISTANT_MODEL"),
		"model name for the assistant URL (env FAMILYHUB_ASSISTANT_MODEL)")
	fs.StringVar(&c.Assistant.Key, "assistant-key", os.Getenv("FAMILYHUB_ASSISTANT_KEY"),
		"API key for the assistant URL, sent as a bearer token (env FAMILYHUB_ASSISTANT_KEY)")
	fs.DurationVar(&c.Assistant.Timeout, "assistant-timeout", http.DefaultAssistantTimeout,
		"how long to wait for the assistant model before the built-in parser answers")
}
