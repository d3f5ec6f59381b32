package main

import (
	"flag"
	"os"

	"github.com/familyhub/familyhub/ical"
)

// calendarFlags registers the options of CalDAV and calendar subscriptions
// (docs/caldav.md) on fs: serve, dev and `jobs run` read the same ones.
func calendarFlags(c *ical.Config, fs *flag.FlagSet) {
	c.SecretKey = os.Getenv("FAMILYHUB_SECRET_KEY")
	fs.Func("secret-key", "secret (at least 16 characters, e.g. openssl rand -base64 32) that calendar subscription passwords are encrypted under (env FAMILYHUB_SECRET_KEY)",
		func(v string) error {
			c.SecretKey = v
			return ical.Config{SecretKey: v}.Validate()
		})
	c.AllowPrivateSubscriptions = os.Getenv("FAMILYHUB_SUBSCRIPTIONS_ALLOW_PRIVATE") == "true"
	fs.BoolVar(&c.AllowPrivateSubscriptions, "subscriptions-allow-private", c.AllowPrivateSubscriptions,
		"let calendar subscriptions reach loopback, private and link-local addresses, e.g. a calendar server on your LAN (env FAMILYHUB_SUBSCRIPTIONS_ALLOW_PRIVATE=true)")
}
