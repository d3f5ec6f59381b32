package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/familyhub/familyhub/db"
)

// runResetPassword is `familyhub reset-password EMAIL`: the operator's way
// back in for a locked-out person (a self-hosted box has no e-mail). It
// sets a new password (generated, or read from standard input), ends every
// session of the account (its sockets close), revokes its CalDAV app
// passwords and forgets its failed sign-ins.
func runResetPassword(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reset-password", flag.ContinueOnError)
	url := fs.String("database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL (env DATABASE_URL)")
	fromStdin := fs.Bool("password-stdin", false, "read the new password from the first line of standard input instead of generating one")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: familyhub reset-password [flags] EMAIL")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("reset-password takes exactly one EMAIL")
	}
	if *url == "" {
		return errors.New("DATABASE_URL/--database-url is required")
	}
	email, err := db.NormalizeEmail(fs.Arg(0))
	if err != nil {
		return err
	}
	password := rand.Text()[:20] // 100 random bits, base32
	if *fromStdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read the password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if err := db.ValidatePassword("password", password); err != nil {
		return err
	}
	hash, err := db.HashPassword(password, db.DefaultPasswordParams)
	if err != nil {
		return err
	}
	pool, err := db.Open(ctx, *url)
	if err != nil {
		return err
	}
	defer pool.Close()
	store := db.NewStore(pool)
	defer closeStore(store) // before the pool closes
	if _, err := store.PasswordSetByEmail(ctx, email, hash); err != nil {
		return fmt.Errorf("%s: %w", email, err)
	}
	fmt.Printf("The password of %s is reset; every session and app password of the account has ended.\n", email)
	if !*fromStdin {
		fmt.Printf("New password: %s\n", password)
	}
	return nil
}
