package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ClassifierConfig configures the optional external shopping classifier:
// an OpenAI-compatible chat completions endpoint. With URL empty the
// categoriser works offline (dictionary and the family's own choices).
type ClassifierConfig struct {
	// URL is the API's base (https://api.openai.com/v1, http://ollama:11434/v1)
	// or its full /chat/completions URL.
	URL string
	// Model is the model name sent with each request.
	Model string
	// Key is sent as a Bearer token when set.
	Key string
	// Timeout bounds one request. Default 15 s.
	Timeout time.Duration
}

func (c ClassifierConfig) validate() error {
	if c.URL == "" {
		return nil
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("classifier URL %q must be an http(s) URL", c.URL)
	}
	if c.Model == "" {
		return errors.New("a classifier URL needs a model")
	}
	return nil
}

// classifierHTTP is a configured classifier; nil when none is.
type classifierHTTP struct {
	cfg      ClassifierConfig
	endpoint string
	client   *http.Client
}

func newClassifierHTTP(cfg ClassifierConfig) *classifierHTTP {
	if cfg.URL == "" {
		return nil
	}
	endpoint := strings.TrimRight(cfg.URL, "/")
	if !strings.HasSuffix(endpoint, "/chat/completions") {
		endpoint += "/chat/completions"
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	return &classifierHTTP{cfg: cfg, endpoint: endpoint, client: &http.Client{Timeout: timeout}}
}

// maxClassifierResponse bounds what is read from the endpoint.
const maxClassifierResponse = 1 << 20

// classify asks the endpoint to file names into one of categories, and
// returns name → category for the answers that name one of categories
// (case-insensitively, returned as given in categories); anything else the
// model says is dropped. It fails when the endpoint cannot be reached or
// answers nonsense, so that the job retries later.
func (c *classifierHTTP) classify(ctx context.Context, names, categories []string) (map[string]string, error) {
	items, _ := json.Marshal(names)
	cats, _ := json.Marshal(categories)
	body, _ := json.Marshal(map[string]any{
		"model":       c.cfg.Model,
		"temperature": 0,
		"messages": []map[string]string{
			{"role": "system", "content": "You file shopping list items into the categories of a family's shopping list. " +
				"Answer with one JSON object only, mapping each item exactly as given to exactly one of the categories. " +
				"Use \"other\" when nothing fits."},
			{"role": "user", "content": "Categories: " + string(cats) + "\nItems: " + string(items)},
		},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.cfg.Key != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.Key)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("classifier: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxClassifierResponse))
	if err != nil {
		return nil, fmt.Errorf("classifier: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("classifier: HTTP %d: %.200s", resp.StatusCode, b)
	}
	var out struct {
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		} `json:"choices"`
	}
	if err := json.Unmarshal(b, &out); err != nil || len(out.Choices) == 0 {
		return nil, fmt.Errorf("classifier: unexpected answer: %.200s", b)
	}
	return parseClassification(out.Choices[0].Message.Content, names, categories)
}

// parseClassification reads the model's JSON object (possibly inside a
// code fence or prose) and keeps the answers naming an asked item and a
// known category.
func parseClassification(content string, names, categories []string) (map[string]string, error) {
	start, end := strings.IndexByte(content, '{'), strings.LastIndexByte(content, '}')
	if start < 0 || end < start {
		return nil, fmt.Errorf("classifier: no JSON object in %.200q", content)
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(content[start:end+1]), &raw); err != nil {
		return nil, fmt.Errorf("classifier: %w", err)
	}
	byFold := map[string]string{}
	for _, c := range categories {
		byFold[strings.ToLower(c)] = c
	}
	asked := map[string]string{}
	for _, n := range names {
		asked[strings.ToLower(strings.TrimSpace(n))] = n
	}
	got := map[string]string{}
	for k, v := range raw {
		s, ok := v.(string)
		if !ok {
			continue
		}
		name, ok1 := asked[strings.ToLower(strings.TrimSpace(k))]
		cat, ok2 := byFold[strings.ToLower(strings.TrimSpace(s))]
		if ok1 && ok2 {
			got[name] = cat
		}
	}
	return got, nil
}
