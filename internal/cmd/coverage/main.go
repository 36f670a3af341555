// Command coverage reports which commands of the Redis command table
// (internal/cmdinfo, generated from the spec) have a typed method on
// *redis.Client, by group, and lists the ones that do not.
//
//	go run ./internal/cmd/coverage        # summary and missing commands
//	go run ./internal/cmd/coverage -v     # also the covered ones
//
// A command matches a method when their names agree ignoring case, spaces,
// hyphens and underscores: "CLIENT NO-EVICT" matches ClientNoEvict.
// Containers (CLIENT, CONFIG, ...) count through their subcommands;
// commands in exclusions.txt count as excluded, each with its reason.
package main

import (
	_ "embed"
	"flag"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/cmdinfo"
)

//go:embed exclusions.txt
var exclusionsFile string

func main() {
	verbose := flag.Bool("v", false, "list covered commands too")
	flag.Parse()
	r := measure()
	fmt.Printf("typed methods: %d of %d commands covered (%d excluded, %d missing)\n",
		len(r.covered), r.total, len(r.excluded), len(r.missing))
	groups := map[string][]string{}
	for _, info := range r.missing {
		groups[info.Group] = append(groups[info.Group], info.Name)
	}
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	for _, g := range names {
		fmt.Printf("missing in %s (%d): %s\n", g, len(groups[g]), strings.Join(groups[g], ", "))
	}
	if *verbose {
		for _, info := range r.covered {
			fmt.Printf("covered: %s\n", info.Name)
		}
		for name, why := range r.excluded {
			fmt.Printf("excluded: %s — %s\n", name, why)
		}
	}
	if len(r.missing) > 0 {
		os.Exit(1)
	}
}

type report struct {
	total    int
	covered  []cmdinfo.Info
	missing  []cmdinfo.Info
	excluded map[string]string
}

func normalize(s string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "", "_", "").Replace(s))
}

func measure() report {
	methods := map[string]bool{}
	t := reflect.TypeOf(&redis.Client{})
	for i := range t.NumMethod() {
		methods[normalize(t.Method(i).Name)] = true
	}
	excluded := parseExclusions(exclusionsFile)
	r := report{excluded: map[string]string{}}
	for _, info := range cmdinfo.All() {
		if info.Flags&cmdinfo.Container != 0 {
			continue
		}
		r.total++
		switch {
		case methods[normalize(info.Name)]:
			r.covered = append(r.covered, info)
		case excluded[info.Name] != "":
			r.excluded[info.Name] = excluded[info.Name]
		default:
			r.missing = append(r.missing, info)
		}
	}
	return r
}

// parseExclusions reads "NAME: reason" lines; blank lines and # comments
// are skipped.
func parseExclusions(text string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, why, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(why) == "" {
			fmt.Fprintf(os.Stderr, "coverage: exclusion %q has no reason\n", line)
			os.Exit(2)
		}
		out[strings.TrimSpace(name)] = strings.TrimSpace(why)
	}
	return out
}
