package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
)

// savedFamily is a family in a -reuse file.
type savedFamily struct {
	Cookie, List, Base string
}

// families signs up the run's families, or loads them from -reuse (signups
// cost argon2id on the server: minutes for thousands on two cores).
func (b *bench) families(ctx context.Context) ([]*family, error) {
	if b.cfg.reuse != "" {
		if data, err := os.ReadFile(b.cfg.reuse); err == nil {
			var saved []savedFamily
			if err := json.Unmarshal(data, &saved); err != nil {
				return nil, fmt.Errorf("-reuse %s: %w", b.cfg.reuse, err)
			}
			if len(saved) < b.cfg.families {
				return nil, fmt.Errorf("-reuse %s holds %d families, want %d", b.cfg.reuse, len(saved), b.cfg.families)
			}
			fams := make([]*family, b.cfg.families)
			for i := range fams {
				fams[i] = &family{idx: i, cookie: saved[i].Cookie, list: saved[i].List, base: saved[i].Base}
			}
			return fams, nil
		}
	}
	fams, err := b.signup(ctx)
	if err != nil || b.cfg.reuse == "" {
		return fams, err
	}
	saved := make([]savedFamily, len(fams))
	for i, f := range fams {
		saved[i] = savedFamily{f.cookie, f.list, f.base}
	}
	data, _ := json.Marshal(saved)
	return fams, os.WriteFile(b.cfg.reuse, data, 0o600)
}
