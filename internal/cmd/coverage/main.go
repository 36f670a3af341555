// Command coverage reports which commands of the Redis command table
// (internal/cmdinfo, generated from the spec) have a typed method on
// *redis.Client, by group, and lists the ones that do not.
//
//	go run ./internal/cmd/coverage        # summary and missing commands
//	go run ./internal/cmd/coverage -v     # also the covered ones
//
// The methods of each command come from the table the command generator
// writes (cmdinfo.Methods); each is checked to exist by reflection.
// Containers (CLIENT, CONFIG, ...) count through their subcommands;
// module commands (JSON.*, FT.*, ...), which the table also has, are
// measured by the coverage test of each package under modules/;
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
	for _, b := range r.broken {
		fmt.Printf("broken: %s\n", b)
	}
	if len(r.missing) > 0 || len(r.broken) > 0 {
		os.Exit(1)
	}
}

type report struct {
	total    int
	covered  []cmdinfo.Info
	missing  []cmdinfo.Info
	excluded map[string]string
	broken   []string // methods the table names that do not exist
}

// receivers are the types whose methods can cover a command, by the name
// the generated table uses.
var receivers = map[string]reflect.Type{
	"Client": reflect.TypeOf(&redis.Client{}),
	"Conn":   reflect.TypeOf(&redis.Conn{}),
	"PubSub": reflect.TypeOf(&redis.PubSub{}),
}

// covered reports whether a command has a typed method: the generated
// table names one, and it exists.
func covered(name string) (bool, error) {
	ms := cmdinfo.Methods(name)
	for _, m := range ms {
		typ, method, _ := strings.Cut(m, ".")
		t, ok := receivers[typ]
		if !ok {
			return false, fmt.Errorf("%s: method %s is on an unknown type", name, m)
		}
		if _, ok := t.MethodByName(method); !ok {
			return false, fmt.Errorf("%s: method %s does not exist", name, m)
		}
	}
	return len(ms) > 0, nil
}

func measure() report {
	excluded := parseExclusions(exclusionsFile)
	r := report{excluded: map[string]string{}}
	for _, info := range cmdinfo.All() {
		if info.Flags&cmdinfo.Container != 0 || info.Module != "" {
			continue // module commands are measured by each module package's coverage test
		}
		r.total++
		ok, err := covered(info.Name)
		switch {
		case err != nil:
			r.broken = append(r.broken, err.Error())
		case ok:
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
