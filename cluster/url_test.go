package cluster_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis/cluster"
)

func TestParseURL(t *testing.T) {
	o, err := cluster.ParseURL("redis://u:p%40ss@10.0.0.1:7000?addr=10.0.0.2:7001&addr=10.0.0.3&read_from=round_robin&read_timeout=2s&protocol=2")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"10.0.0.1:7000", "10.0.0.2:7001", "10.0.0.3:6379"}; !slices.Equal(o.Addrs, want) {
		t.Errorf("Addrs = %q, want %q", o.Addrs, want)
	}
	if o.Username != "u" || o.Password != "p@ss" || o.ReadFrom != cluster.ReadReplicaRoundRobin || o.ReadTimeout != 2*time.Second || o.Protocol != 2 {
		t.Errorf("options = %+v", o)
	}
	o, err = cluster.ParseURL("rediss://h:7000")
	if err != nil || o.TLSConfig == nil || !slices.Equal(o.Addrs, []string{"h:7000"}) || o.ReadFrom != cluster.ReadPrimary {
		t.Errorf("rediss: %+v, %v", o, err)
	}
	for _, bad := range []string{
		"redis://h:7000/1",
		"redis://h:7000?db=2",
		"unix:///tmp/redis.sock",
		"redis://h:7000?read_from=nearest",
		"redis://h:7000?read_from=replica&read_from=primary",
		"redis://h:7000?addr=:7001",
		"redis://h:7000?nosuch=1",
		"redis://:s3cret@h:7000?addr=:1",
		"redis://:s3cr#et@h:7000",
	} {
		_, err := cluster.ParseURL(bad)
		if err == nil {
			t.Errorf("ParseURL(%q) succeeded, want an error", bad)
			continue
		}
		if strings.Contains(err.Error(), "s3cr") {
			t.Errorf("ParseURL(%q): the error shows the password: %v", bad, err)
		}
	}
}

// FuzzParseURL checks that no URL makes ParseURL panic, and that what it
// accepts has at least one seed and database 0.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"redis://u:p@h:7000?addr=h2:7001&read_from=replica",
		"rediss://h?addr=[::1]:7000",
		"redis://h:7000/0?addr=x",
		"unix:///s",
		"redis://%zz@h",
		"redis://h:7000?addr=&addr=:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := cluster.ParseURL(s)
		if err != nil {
			return
		}
		if len(o.Addrs) == 0 || o.DB != 0 || o.Addr != "" {
			t.Fatalf("ParseURL(%q) = Addrs %q, DB %d, Addr %q", s, o.Addrs, o.DB, o.Addr)
		}
	})
}
