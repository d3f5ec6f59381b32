package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/notify"
)

// notifyFlags registers the options of notifications (docs/notifications.md)
// on fs, with defaults from the environment; check reports a malformed
// environment value after parsing. serve, dev and `jobs run` read the same.
func notifyFlags(c *notify.Config, fs *flag.FlagSet) (check func() error) {
	var errs []error
	durVar := func(p *time.Duration, name, env string, def time.Duration, usage string) {
		*p = def
		if v := os.Getenv(env); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a duration such as 10s or 5m", env, v))
			}
			*p = d
		}
		fs.DurationVar(p, name, *p, usage+" (env "+env+")")
	}
	d := notify.DefaultConfig()
	c.AllowPrivate = os.Getenv("FAMILYHUB_PUSH_ALLOW_PRIVATE") == "true"
	fs.BoolVar(&c.AllowPrivate, "push-allow-private", c.AllowPrivate,
		"let push endpoints and ntfy URLs be loopback, private or link-local addresses, and plain http (env FAMILYHUB_PUSH_ALLOW_PRIVATE=true)")
	fs.StringVar(&c.Subject, "push-subject", envOr("FAMILYHUB_PUSH_SUBJECT", notify.DefaultSubject),
		"VAPID contact push services may reach you at: mailto:you@example.org or an https:// URL (env FAMILYHUB_PUSH_SUBJECT)")
	fs.StringVar(&c.PublicURL, "public-url", os.Getenv("FAMILYHUB_PUBLIC_URL"),
		"where members open the app, e.g. https://family.example.org, for the links in ntfy notices (env FAMILYHUB_PUBLIC_URL)")
	durVar(&c.Timeout, "push-timeout", "FAMILYHUB_PUSH_TIMEOUT", d.Timeout, "how long one request to a push service or ntfy may take")
	durVar(&c.ListFold, "notify-list-fold", "FAMILYHUB_NOTIFY_LIST_FOLD", d.ListFold,
		"how long a shopping list's changes are gathered into one notice")
	durVar(&c.LeaderRetry, "notify-leader-retry", "FAMILYHUB_NOTIFY_LEADER_RETRY", d.LeaderRetry,
		"how often a replica that does not derive notices from events asks to take over: at most this long without one after the leader stops")
	durVar(&c.Coalesce, "notify-coalesce", "FAMILYHUB_NOTIFY_COALESCE", d.Coalesce,
		"a family's new events are processed at once, then at most once per this long (negative: every one at once)")
	return func() error {
		if len(errs) > 0 {
			return errs[0]
		}
		return nil
	}
}

// notifyConfig is the notification configuration with the server's secret
// key (ntfy tokens are sealed under FAMILYHUB_SECRET_KEY).
func (m *Main) notifyConfig() notify.Config {
	c := m.Config.Notify
	c.SecretKey = m.Config.Calendar.SecretKey
	return c
}

// newNotifier makes the notification service (once) over store.
func (m *Main) newNotifier(store *db.Store) (*notify.Service, error) {
	if m.notify != nil {
		return m.notify, nil
	}
	n, err := notify.New(store, m.Logger.With("component", "notify"), m.notifyConfig())
	if err != nil {
		return nil, err
	}
	m.notify = n
	return n, nil
}

// startNotify runs the notification service's background work (presence,
// the event path) until bg ends. Its wake-ups come from the realtime
// listener, which receives every event anyway: the service's own
// connection on listenURL only holds the leader lock. Call it before the
// listener runs.
func (m *Main) startNotify(bg context.Context, listenURL string) {
	m.Listener.OnEvent = m.notify.WakeFor
	m.Listener.OnConnect = m.notify.Sweep
	// A family whose database went back: what its devices were sent under
	// the lost seqs was not the events now written under them.
	m.Hub.OnRewind = m.notify.Presence().Rewound
	// A server that restarted or is another one (a restore, a failover)
	// may have lost presence rows of any family: put back the live ones.
	m.Listener.OnServerChanged = m.notify.Presence().DatabaseChanged
	m.background.Go(func() { m.notify.Run(bg, notify.RunOpts{ListenURL: listenURL, Woken: true}) })
}
