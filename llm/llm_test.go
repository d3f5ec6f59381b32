package llm

import "testing"

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg Config
		ok  bool
	}{
		{Config{}, true},
		{Config{URL: "https://api.openai.com/v1", Model: "gpt-4o-mini", Key: "k"}, true},
		{Config{URL: "http://localhost:11434/v1", Model: "llama3"}, true},
		{Config{URL: "https://api.openai.com/v1"}, false},
		{Config{URL: "ftp://x", Model: "m"}, false},
		{Config{URL: "not a url", Model: "m"}, false},
		{Config{Model: "m"}, false},
	} {
		if err := tc.cfg.Validate("FAMILYHUB_ASSISTANT"); (err == nil) != tc.ok {
			t.Errorf("%+v: %v", tc.cfg, err)
		}
	}
}
