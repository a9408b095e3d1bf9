package rediscache

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// tagLen is the length of a value's signature: HMAC-SHA-256.
const tagLen = sha256.Size

// minKeyLen is the shortest signing key accepted.
const minKeyLen = 16

// WithSigningKey authenticates the values the Cache stores (Set, Get;
// claims and throttle times are not values): each is stored followed by
// an HMAC-SHA-256 over its Redis key and its bytes, and Get ignores, as if
// nothing were stored, a value without a valid signature, so that the
// caller refills it from the source. Use it when others than this
// service's replicas can write to the Redis (a shared instance, a network
// you do not control): without it, anyone who can write there can put,
// with a valid CRC-32C, any projects and states into every replica's form
// without an Azure DevOps request.
//
// The first key signs; every key verifies. To rotate, deploy
// WithSigningKey(newKey, oldKey) on every replica, then, once every value
// signed with oldKey has expired (the cache TTL), WithSigningKey(newKey).
// Replicas with disjoint keys ignore each other's values. Keys must have
// at least 16 bytes (32 random bytes, kept as a secret, are best) and are
// copied.
func WithSigningKey(keys ...[]byte) Option {
	return func(s *settings) error {
		if len(keys) == 0 {
			return errors.New("signing keys must not be empty")
		}
		s.signingKeys = nil
		for i, k := range keys {
			if len(k) < minKeyLen {
				return fmt.Errorf("signing key %d has %d bytes, fewer than %d", i, len(k), minKeyLen)
			}
			s.signingKeys = append(s.signingKeys, append([]byte(nil), k...))
		}
		return nil
	}
}

// signature returns the tag of value stored under the Redis key rkey,
// with signing key k: a length-prefixed key, so that no key and value can
// be split differently into another pair with the same tag.
func signature(k []byte, rkey string, value []byte) []byte {
	mac := hmac.New(sha256.New, k)
	mac.Write([]byte("azdosync/rediscache/v1\x00"))
	mac.Write(binary.BigEndian.AppendUint64(nil, uint64(len(rkey))))
	mac.Write([]byte(rkey))
	mac.Write(value)
	return mac.Sum(nil)
}

// sign returns value followed by its tag under the first key, or value
// itself when the Cache does not sign.
func (s settings) sign(rkey string, value []byte) []byte {
	if len(s.signingKeys) == 0 {
		return value
	}
	return append(append(make([]byte, 0, len(value)+tagLen), value...), signature(s.signingKeys[0], rkey, value)...)
}

// verify returns the value of a stored one and whether its tag is valid
// under one of the keys; every stored value is valid when the Cache does
// not sign.
func (s settings) verify(rkey string, stored []byte) ([]byte, bool) {
	if len(s.signingKeys) == 0 {
		return stored, true
	}
	if len(stored) < tagLen {
		return nil, false
	}
	value, tag := stored[:len(stored)-tagLen], stored[len(stored)-tagLen:]
	for _, k := range s.signingKeys {
		if hmac.Equal(tag, signature(k, rkey, value)) {
			return value, true
		}
	}
	return nil, false
}

// overhead is how many bytes signing adds to each stored value.
func (s settings) overhead() int {
	if len(s.signingKeys) == 0 {
		return 0
	}
	return tagLen
}
