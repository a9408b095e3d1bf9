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

// WithSigningKey signs the values the Cache stores with HMAC-SHA-256 over
// their Redis key and bytes, and Get ignores a value without a valid
// signature (the caller refills it). Use it when others than the
// service's replicas can write to the Redis: without it, they can put any
// projects and states into every form. The first key signs, every key
// verifies: to rotate, deploy (newKey, oldKey), then, after the cache TTL,
// (newKey). Keys need 16 bytes or more (32 random bytes are best).
func WithSigningKey(keys ...[]byte) Option {
	return func(s *settings) error {
		// Claims and throttle times are not values and are not signed.
		// Replicas with disjoint keys ignore each other's values. Keys are
		// copied.
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
