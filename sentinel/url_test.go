package sentinel_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/respkit/redis/sentinel"
)

func TestParseURL(t *testing.T) {
	o, err := sentinel.ParseURL("redis+sentinel://app:pw@10.0.0.1:26379,10.0.0.2,10.0.0.3:26380/mymaster/2?sentinel_password=spw&read_from=round_robin&protocol=2")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"10.0.0.1:26379", "10.0.0.2:26379", "10.0.0.3:26380"}; !slices.Equal(o.SentinelAddrs, want) {
		t.Errorf("SentinelAddrs = %q, want %q", o.SentinelAddrs, want)
	}
	if o.MasterName != "mymaster" || o.Username != "app" || o.Password != "pw" || o.DB != 2 || o.SentinelPassword != "spw" ||
		o.ReadFrom != sentinel.ReadReplicaRoundRobin || o.Protocol != 2 || o.TLSConfig != nil || o.SentinelTLSConfig != nil {
		t.Errorf("options = %+v", o)
	}
	o, err = sentinel.ParseURL("rediss+sentinel://h/m")
	if err != nil || o.TLSConfig == nil || o.SentinelTLSConfig == nil || o.MasterName != "m" {
		t.Errorf("rediss+sentinel: %+v, %v", o, err)
	}
	for _, bad := range []string{
		"redis://h:6379",
		"redis+sentinel://h:26379",
		"redis+sentinel://h:26379/",
		"redis+sentinel://:26379/m",
		"redis+sentinel://h/m?read_from=nearest",
		"redis+sentinel://h/m?sentinel_password=a&sentinel_password=b",
		"redis+sentinel://h/m?nosuch=1",
		"redis+sentinel://:s3cret@h/m/x",
		"redis+sentinel://h/m?sentinel_password=s3cret%zz",
		"redis+sentinel://:s3cr#et@h/m",
	} {
		_, err := sentinel.ParseURL(bad)
		if err == nil {
			t.Errorf("ParseURL(%q) succeeded, want an error", bad)
			continue
		}
		if strings.Contains(err.Error(), "s3cr") {
			t.Errorf("ParseURL(%q): the error shows a password: %v", bad, err)
		}
	}
	if got := (sentinel.Options{SentinelPassword: "s3cret"}).String(); strings.Contains(got, "s3cret") {
		t.Errorf("Options print the sentinel password: %s", got)
	}
}

// FuzzParseURL checks that no URL makes ParseURL panic and that what it
// accepts names a master and at least one sentinel.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"redis+sentinel://u:p@h1:26379,h2/mymaster/1?sentinel_password=x&read_from=replica",
		"rediss+sentinel://[::1]:26379/m",
		"redis+sentinel://h/m?db=3",
		"redis+sentinel://a@b@h/m",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := sentinel.ParseURL(s)
		if err != nil {
			return
		}
		if o.MasterName == "" || len(o.SentinelAddrs) == 0 || o.Addr != "" {
			t.Fatalf("ParseURL(%q) = %+v", s, o)
		}
	})
}
