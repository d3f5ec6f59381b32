package main

import (
	"flag"
	"os"

	"github.com/familyhub/familyhub/http"
)

// davFlags registers CalDAV's options (docs/caldav.md).
func (c *Config) davFlags(fs *flag.FlagSet) {
	c.DAV.SecretKey = os.Getenv("FAMILYHUB_SECRET_KEY")
	fs.Func("secret-key", "secret (at least 16 characters, e.g. `openssl rand -base64 32`) that calendar subscription passwords are encrypted under (env FAMILYHUB_SECRET_KEY)",
		func(v string) error {
			c.DAV.SecretKey = v
			return http.DAVConfig{SecretKey: v}.Validate()
		})
	c.DAV.AllowPrivateSubscriptions = os.Getenv("FAMILYHUB_SUBSCRIPTIONS_ALLOW_PRIVATE") == "true"
	fs.BoolVar(&c.DAV.AllowPrivateSubscriptions, "subscriptions-allow-private", c.DAV.AllowPrivateSubscriptions,
		"let calendar subscriptions reach loopback, private and link-local addresses, e.g. a calendar server on your LAN (env FAMILYHUB_SUBSCRIPTIONS_ALLOW_PRIVATE=true)")
}

// davValidate reports an unusable FAMILYHUB_SECRET_KEY; Validate calls it.
func (c *Config) davValidate() error { return c.DAV.Validate() }
