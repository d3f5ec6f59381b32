// Package llm is FamilyHub's one client for an OpenAI-compatible chat
// completions endpoint (OpenAI, Ollama, llama.cpp, vLLM, ...). The
// assistant and the shopping categoriser each may use one; both work
// offline without it. It imports nothing of FamilyHub's.
package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Config configures a client. With URL empty there is none.
type Config struct {
	// URL is the API's base (https://api.openai.com/v1,
	// http://ollama:11434/v1) or its full /chat/completions URL.
	URL string
	// Model is the model name sent with each request; required with URL.
	Model string
	// Key is sent as "Authorization: Bearer <key>" when set.
	Key string
	// Timeout bounds one request; 0 means the caller's default.
	Timeout time.Duration
}

// Validate checks the configuration; env names its environment variables
// (e.g. "FAMILYHUB_ASSISTANT") in the messages.
func (c Config) Validate(env string) error {
	if c.URL == "" {
		if c.Model != "" || c.Key != "" {
			return fmt.Errorf("%s_MODEL/KEY are set but %s_URL is not", env, env)
		}
		return nil
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s_URL must be an http(s) URL such as https://api.openai.com/v1, not %q", env, c.URL)
	}
	if c.Model == "" {
		return fmt.Errorf("%s_MODEL is required with %s_URL", env, env)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("the %s timeout must be positive", strings.ToLower(strings.TrimPrefix(env, "FAMILYHUB_")))
	}
	return nil
}

// MaxResponse bounds what is read from the endpoint.
const MaxResponse = 1 << 20

// Client talks to one endpoint.
type Client struct {
	cfg      Config
	endpoint string
	hc       *http.Client
}

// New returns a client for cfg (validated), or nil when cfg.URL is empty.
// defaultTimeout applies when cfg.Timeout is 0.
func New(cfg Config, defaultTimeout time.Duration) *Client {
	if cfg.URL == "" {
		return nil
	}
	endpoint := strings.TrimRight(cfg.URL, "/")
	if !strings.HasSuffix(endpoint, "/chat/completions") {
		endpoint += "/chat/completions"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = defaultTimeout
	}
	return &Client{cfg: cfg, endpoint: endpoint, hc: &http.Client{Timeout: cfg.Timeout}}
}

// Timeout is the client's bound on one request.
func (c *Client) Timeout() time.Duration { return c.cfg.Timeout }

type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type request struct {
	Model          string            `json:"model"`
	Messages       []message         `json:"messages"`
	Temperature    float64           `json:"temperature"`
	ResponseFormat map[string]string `json:"response_format,omitempty"`
}

// Complete sends a system and a user message (temperature 0) and returns
// the model's answer. jsonObject asks for a JSON object answer
// (response_format json_object). HTTP errors, timeouts and answers that
// are not chat completions are errors.
func (c *Client) Complete(ctx context.Context, system, user string, jsonObject bool) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	r := request{Model: c.cfg.Model, Messages: []message{{"system", system}, {"user", user}}}
	if jsonObject {
		r.ResponseFormat = map[string]string{"type": "json_object"}
	}
	body, _ := json.Marshal(r)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.cfg.Key != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.Key)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponse))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("model answered %s: %.200s", resp.Status, raw)
	}
	var out struct {
		Choices []struct {
			Message message `json:"message"`
		} `json:"choices"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || len(out.Choices) == 0 {
		return "", fmt.Errorf("model answer is not a chat completion: %.200s", raw)
	}
	return out.Choices[0].Message.Content, nil
}
