package ical

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// Subscription credentials are sealed with AES-256-GCM under a key derived
// from FAMILYHUB_SECRET_KEY.

// minSecretKeyLen is the shortest FAMILYHUB_SECRET_KEY accepted.
const minSecretKeyLen = 16

// DeriveSecretKey returns the 32-byte AES key for the configured secret
// (FAMILYHUB_SECRET_KEY): nil for "", an error when it is shorter than 16
// characters.
func DeriveSecretKey(secret string) ([]byte, error) {
	if secret == "" {
		return nil, nil
	}
	if len(secret) < minSecretKeyLen {
		return nil, fmt.Errorf("FAMILYHUB_SECRET_KEY must be at least %d characters (e.g. `openssl rand -base64 32`)", minSecretKeyLen)
	}
	k := sha256.Sum256([]byte("familyhub subscription credentials v1\x00" + secret))
	return k[:], nil
}

// SealSecret encrypts plaintext under key, bound to aad (the subscription
// id), as nonce || ciphertext.
func SealSecret(key, plaintext, aad []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	_, _ = rand.Read(nonce)
	return gcm.Seal(nonce, nonce, plaintext, aad), nil
}

// OpenSecret reverses SealSecret; it fails when key or aad differ or the
// data was altered.
func OpenSecret(key, sealed, aad []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < gcm.NonceSize() {
		return nil, errors.New("sealed secret is too short")
	}
	return gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], aad)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, errors.New("no secret key configured (FAMILYHUB_SECRET_KEY)")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
