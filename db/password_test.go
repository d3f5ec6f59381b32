package db

import (
	"strings"
	"testing"
)

func TestPasswordHashVerify(t *testing.T) {
	t.Parallel()
	hash, err := HashPassword("correct horse", testPasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := HashPassword("correct horse", testPasswordParams)
	if hash == again {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"correct horse": true, "correct hors": false, "": false} {
		ok, err := VerifyPassword(pw, hash)
		if err != nil || ok != want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	for _, bad := range []string{"", "$2a$10$bcrypt", "$argon2id$v=19$m=x$a$b", "$argon2id$v=19$m=64,t=1,p=1$!!$!!"} {
		if _, err := VerifyPassword("x", bad); err == nil {
			t.Errorf("VerifyPassword accepted malformed hash %q", bad)
		}
	}
}

func TestInviteCodeNormalization(t *testing.T) {
	t.Parallel()
	code := newInviteCode()
	for _, typed := range []string{code, " " + code + " ", strings.ToLower(code)} {
		if NormalizeInviteCode(typed) != NormalizeInviteCode(code) {
			t.Errorf("%q does not normalize like %q", typed, code)
		}
	}
	if NormalizeInviteCode("O1L-IO") != "01110" {
		t.Errorf("confusable letters not mapped: %q", NormalizeInviteCode("O1L-IO"))
	}
}

// testPasswordParams keep argon2 cheap in tests; production uses the defaults.
var testPasswordParams = PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}
