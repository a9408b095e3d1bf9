package rediscache_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/internal/redistest"
	"github.com/azdosync/azdosync/rediscache"
)

var (
	keyA = []byte("0123456789abcdef0123456789abcdef")
	keyB = []byte("fedcba9876543210fedcba9876543210")
)

// TestSigning: with WithSigningKey, values are stored with an HMAC over
// their key and bytes; a value without a valid one (unsigned, signed with
// another key, or moved to another key) reads as nothing stored, and is
// reported once. Rotation: the first key signs, every key verifies.
func TestSigning(t *testing.T) {
	srv := redistest.Start(t)
	var logs logBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	a := newCache(t, srv.Client(), rediscache.WithSigningKey(keyA), rediscache.WithLogger(logger), rediscache.WithMaxValueBytes(100))
	ctx := t.Context()
	get := func(c *rediscache.Cache, key string) string {
		t.Helper()
		v, err := c.Get(ctx, key)
		if err != nil {
			t.Fatalf("Get(%s): %v", key, err)
		}
		return string(v)
	}

	if err := a.Set(ctx, "org", []byte("value"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := get(a, "org"); got != "value" {
		t.Errorf("Get = %q, want value", got)
	}
	raw := []byte(srv.Do("GET", "azdosync:snap:org").(string))
	if len(raw) != len("value")+32 || !bytes.HasPrefix(raw, []byte("value")) {
		t.Errorf("stored %q, want the value and a 32-byte tag", raw)
	}

	// A value of the size limit is stored and read with its tag.
	full := strings.Repeat("x", 100)
	if err := a.Set(ctx, "full", []byte(full), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := get(a, "full"); got != full {
		t.Errorf("Get of a value of the limit = %d bytes", len(got))
	}

	for name, setup := range map[string]func(){
		"unsigned":      func() { srv.Do("SET", "azdosync:snap:org", "<b>forged</b> with a valid crc") },
		"tag cut":       func() { srv.Do("SET", "azdosync:snap:org", string(raw[:len(raw)-1])) },
		"bytes changed": func() { srv.Do("SET", "azdosync:snap:org", "valuf"+string(raw[5:])) },
		"moved from a key": func() {
			srv.Do("SET", "azdosync:snap:org", string(raw))
			srv.Do("RENAME", "azdosync:snap:org", "azdosync:snap:other")
		},
		"shorter than tags": func() { srv.Do("SET", "azdosync:snap:org", "x") },
	} {
		t.Run(name, func(t *testing.T) {
			srv.Do("DEL", "azdosync:snap:org", "azdosync:snap:other")
			setup()
			for _, k := range []string{"org", "other"} {
				if got := get(a, k); got != "" {
					t.Errorf("Get(%s) = %q, want nothing: the tag is not valid", k, got)
				}
			}
		})
	}
	if n := strings.Count(logs.String(), "without a valid signature"); n != 1 {
		t.Errorf("%d warnings, want 1 per interval:\n%s", n, logs.String())
	}

	// The tag covers the key's length too: org's value, its first byte
	// moved into the key ("orgv" holding "alue" and org's tag), is not
	// valid, though the bytes signed run on alike.
	srv.Do("SET", "azdosync:snap:orgv", string(raw[1:]))
	if got := get(a, "orgv"); got != "" {
		t.Errorf("Get(orgv) = %q, want nothing: a tag of org's value, split elsewhere", got)
	}

	// Rotation: b signs with keyB and still reads keyA's values; a, not
	// yet given keyB, does not read b's.
	if err := a.Set(ctx, "org", []byte("old"), time.Minute); err != nil {
		t.Fatal(err)
	}
	b := newCache(t, srv.Client(), rediscache.WithSigningKey(keyB, keyA))
	if got := get(b, "org"); got != "old" {
		t.Errorf("the rotated cache read %q, want the value signed with the old key", got)
	}
	if err := b.Set(ctx, "org", []byte("new"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := get(a, "org"); got != "" {
		t.Errorf("a cache without the new key read %q", got)
	}
	if got := get(newCache(t, srv.Client(), rediscache.WithSigningKey(keyB)), "org"); got != "new" {
		t.Errorf("the new key alone read %q, want new", got)
	}
	// A cache that does not sign reads the stored bytes as they are.
	if got := get(newCache(t, srv.Client()), "org"); !strings.HasPrefix(got, "new") || len(got) != 3+32 {
		t.Errorf("an unsigned cache read %q", got)
	}
}

func TestWithSigningKeyRejects(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true}) // never dialled
	t.Cleanup(func() { _ = rdb.Close() })
	for _, tt := range []struct {
		keys [][]byte
		want string
	}{
		{nil, "rediscache: new cache: signing keys must not be empty"},
		{[][]byte{[]byte("short")}, "rediscache: new cache: signing key 0 has 5 bytes, fewer than 16"},
		{[][]byte{keyA, nil}, "rediscache: new cache: signing key 1 has 0 bytes, fewer than 16"},
	} {
		if _, err := rediscache.New(rdb, rediscache.WithSigningKey(tt.keys...)); err == nil || err.Error() != tt.want {
			t.Errorf("WithSigningKey(%q) error = %v, want %q", tt.keys, err, tt.want)
		}
	}
}

// TestFleetForgedValue: someone who can write to Redis puts a well-formed
// snapshot, with a valid checksum and markup in its project names, at a
// replica's key. Without signing, it would be every replica's form with no
// Azure DevOps request; with WithSigningKey, it is ignored and the form
// comes from Azure DevOps, and is stored signed.
func TestFleetForgedValue(t *testing.T) {
	rds := redistest.Start(t)
	ado := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT(pat))
	want, _ := baseline(t, ado)
	signed := func() *rediscache.Cache { return newCache(t, rds.Client(), rediscache.WithSigningKey(keyA)) }
	buildOnce(t, ado, signed(), 5*time.Second, want)
	keys := rds.Keys("azdosync:snap:*")
	if len(keys) != 1 {
		t.Fatalf("keys %q", keys)
	}
	rds.Do("SET", keys[0], forgeSnapshot(strings.TrimPrefix(keys[0], "azdosync:snap:"), 3), "PX", 60000)

	ado.ResetStats()
	form := buildOnce(t, ado, signed(), 5*time.Second, want)
	if ado.Count() == 0 || bytes.Contains(form, []byte(`"p"`)) {
		t.Errorf("the replica made %d requests and built %s: it took the forged value", ado.Count(), form)
	}
	// The refill is stored signed: the next cold replica makes no request.
	ado.ResetStats()
	buildOnce(t, ado, signed(), 5*time.Second, want)
	if n := ado.Count(); n != 0 {
		t.Errorf("a cold replica after the refill made %d requests, want 0", n)
	}
}
