package cmdinfo

import (
	"flag"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
)

var updateCacheable = flag.Bool("update-cacheable", false, "rewrite docs/cacheable-commands.md from the table")

func TestCacheable(t *testing.T) {
	for name, want := range map[string]bool{
		"GET": true, "MGET": true, "HGET": true, "HGETALL": true, "HMGET": true, "SMEMBERS": true,
		"ZRANGE": true, "LRANGE": true, "STRLEN": true, "EXISTS": true, "GETRANGE": true,
		"XRANGE": true, "JSON.GET": true, "TS.RANGE": true, "BF.EXISTS": true,
		"SET": false, "GETDEL": false, "GETEX": false, "TTL": false, "PTTL": false, "RANDOMKEY": false,
		"SRANDMEMBER": false, "HRANDFIELD": false, "BLPOP": false, "XPENDING": false, "OBJECT ENCODING": false,
		"SCAN": false, "TOUCH": false, "JSON.DEBUG MEMORY": false, "KEYS": false, "EVAL_RO": false, "FT.SEARCH": false, "PUBLISH": false, "DBSIZE": false,
	} {
		info := lookupAny(name)
		if info == nil {
			t.Errorf("%s is not in the table", name)
			continue
		}
		if got := info.Cacheable(); got != want {
			t.Errorf("%s: Cacheable() = %v, want %v (flags %v, keys %+v, tip %v)", name, got, want, info.Flags, info.Keys, info.Nondeterministic)
		}
	}
}

func lookupAny(name string) *Info {
	if cmd, sub, ok := strings.Cut(name, " "); ok {
		return LookupSub(cmd, sub)
	}
	return Lookup(name)
}

// TestCacheableDoc keeps docs/cacheable-commands.md, the documented list,
// in step with the table (go test ./internal/cmdinfo -run CacheableDoc
// -update-cacheable rewrites it).
func TestCacheableDoc(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("# Cacheable commands\n\n")
	sb.WriteString("Generated from the command table by `go test ./internal/cmdinfo -run CacheableDoc -update-cacheable`;\n")
	sb.WriteString("the rule is `cmdinfo.Info.Cacheable` (read-only, keyed, every key spec read-only, deterministic\n")
	sb.WriteString("output, a plain read whose reply does not change with time alone). A client from\n")
	sb.WriteString("`Client.Cached` (see the README, Client-side caching) serves these from its cache, and only these.\n\n")
	groups := map[string][]string{}
	for _, info := range All() {
		if !info.Cacheable() {
			continue
		}
		g := info.Group
		if info.Module != "" {
			g = info.Module
		}
		groups[g] = append(groups[g], "`"+info.Name+"`")
	}
	names := slices.Sorted(maps.Keys(groups))
	for _, g := range names {
		sb.WriteString("- **" + g + "**: " + strings.Join(groups[g], ", ") + "\n")
	}
	const path = "../../docs/cacheable-commands.md"
	if *updateCacheable {
		if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update-cacheable to write it)", err)
	}
	if string(got) != sb.String() {
		t.Fatalf("%s is out of date: go test ./internal/cmdinfo -run CacheableDoc -update-cacheable", path)
	}
}
