package db

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/familyhub/familyhub"
)

// Validation of domain input. Every operation validates what it is given,
// whoever calls it (REST, CalDAV, the assistant, a job); the functions need
// no database, so fuzz tests run them directly. Problems are EINVALID
// naming the field.

// ValidateText checks that v has between min and max characters and is
// valid UTF-8 without control characters (newlines and tabs allowed).
func ValidateText(field, v string, min, max int) error {
	n := utf8.RuneCountInString(v)
	switch {
	case !utf8.ValidString(v):
		return familyhub.Invalid(field, "%s is not valid UTF-8.", field)
	case n < min && min == 1:
		return familyhub.Invalid(field, "%s is required.", field)
	case n < min || n > max:
		return familyhub.Invalid(field, "%s must be %d to %d characters.", field, min, max)
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f }):
		return familyhub.Invalid(field, "%s contains control characters.", field)
	}
	return nil
}

// TrimmedText trims v and checks it with ValidateText.
func TrimmedText(field, v string, min, max int) (string, error) {
	v = strings.TrimSpace(v)
	return v, ValidateText(field, v, min, max)
}

// OptionalText trims *v and checks its length (1..max). Nil, empty and
// blank text all come back as nil: "no value".
func OptionalText(field string, v *string, max int) (*string, error) {
	if v == nil {
		return nil, nil
	}
	t := strings.TrimSpace(*v)
	if t == "" {
		return nil, nil
	}
	if err := ValidateText(field, t, 1, max); err != nil {
		return nil, err
	}
	return &t, nil
}

// optionalPatchText normalises an Optional text field of a patch: present
// blank text becomes null (cleared).
func optionalPatchText(field string, o *familyhub.Optional[string], max int) error {
	if !o.Set || o.Null {
		return nil
	}
	v, err := OptionalText(field, &o.Value, max)
	if err != nil {
		return err
	}
	if v == nil {
		o.Null = true
	} else {
		o.Value = *v
	}
	return nil
}

// requiredPatchText normalises an Optional text field that cannot be
// cleared: null is refused, the value trimmed and checked.
func requiredPatchText(field string, o *familyhub.Optional[string], max int) error {
	if !o.Set {
		return nil
	}
	if o.Null {
		return familyhub.Invalid(field, "%s cannot be null.", field)
	}
	var err error
	o.Value, err = TrimmedText(field, o.Value, 1, max)
	return err
}

// ValidateTimeZone checks that name is an IANA time zone.
func ValidateTimeZone(field, name string) error {
	if name == "" || name == "Local" || len(name) > 64 {
		return familyhub.Invalid(field, "%s must be an IANA time zone such as Europe/Berlin.", field)
	}
	if _, err := time.LoadLocation(name); err != nil {
		return familyhub.Invalid(field, "%s %q is not a known IANA time zone.", field, name)
	}
	return nil
}

// CheckYear refuses instants outside familyhub.MinYear..MaxYear.
func CheckYear(field string, t time.Time) error {
	if t.Year() < familyhub.MinYear || t.Year() > familyhub.MaxYear {
		return familyhub.Invalid(field, "%s must be between the years %d and %d.", field, familyhub.MinYear, familyhub.MaxYear)
	}
	return nil
}

// NormalizeEmail lower-cases and trims an address and checks it.
func NormalizeEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return "", familyhub.Invalid("email", "email is required.")
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > familyhub.MaxEmailLen || !strings.Contains(email, "@") {
		return "", familyhub.Invalid("email", "email is not a valid address.")
	}
	return email, nil
}

// ValidatePassword checks a new password's length.
func ValidatePassword(field, p string) error {
	switch {
	case utf8.RuneCountInString(p) < familyhub.MinPasswordChars:
		return familyhub.Invalid(field, "%s must be at least %d characters.", field, familyhub.MinPasswordChars)
	case len(p) > familyhub.MaxPasswordBytes:
		return familyhub.Invalid(field, "%s must be at most %d bytes.", field, familyhub.MaxPasswordBytes)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
