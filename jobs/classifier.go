package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/familyhub/familyhub/llm"
)

// classifierTimeout bounds one request to the classifier unless configured.
const classifierTimeout = 15 * time.Second

// classify asks the configured model to file names into one of
// categories, and returns name → category for the answers that name one of
// categories (case-insensitively, returned as given in categories);
// anything else the model says is dropped. It fails when the endpoint
// cannot be reached or answers nonsense, so that the job retries later.
func classify(ctx context.Context, client *llm.Client, names, categories []string) (map[string]string, error) {
	items, _ := json.Marshal(names)
	cats, _ := json.Marshal(categories)
	content, err := client.Complete(ctx, "You file shopping list items into the categories of a family's shopping list. "+
		"Answer with one JSON object only, mapping each item exactly as given to exactly one of the categories. "+
		"Use \"other\" when nothing fits.",
		"Categories: "+string(cats)+"\nItems: "+string(items), false)
	if err != nil {
		return nil, fmt.Errorf("classifier: %w", err)
	}
	return parseClassification(content, names, categories)
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
