package redistest

import (
	"testing"
	"time"
)

// TestModuleServer checks the module gate against a real server without
// modules: MODULE LIST is read (empty), and a test asking for a module is
// skipped with the reason, as it is when the variable is unset.
func TestModuleServer(t *testing.T) {
	s := Start(t, Config{Password: "pw"})
	url := "redis://:pw@" + s.Addr() + "/0"
	names, err := moduleList(url, time.Now().Add(5*time.Second))
	if err != nil || len(names) != 0 {
		t.Fatalf("moduleList(%s) = %q, %v; want no modules", redactURL(url), names, err)
	}
	if _, err := moduleList("redis://:wrong@"+s.Addr(), time.Now().Add(5*time.Second)); err == nil {
		t.Error("moduleList with a wrong password succeeded")
	}
	if _, err := moduleList("http://"+s.Addr(), time.Now().Add(5*time.Second)); err == nil {
		t.Error("moduleList accepted an http URL")
	}
	skipped := func(env string) bool {
		var ok bool
		t.Run("gate", func(t *testing.T) {
			t.Setenv(ModulesURLEnv, env)
			defer func() { ok = t.Skipped() }()
			ModuleServer(t, "json", "ReJSON")
			t.Error("ModuleServer returned for a server without the module")
		})
		return ok
	}
	if !skipped("") {
		t.Error("no skip with the variable unset")
	}
	if !skipped(url) {
		t.Error("no skip for a server without the module")
	}
	var cmdSkipped bool
	t.Run("command", func(t *testing.T) {
		t.Setenv(ModulesURLEnv, url)
		defer func() { cmdSkipped = t.Skipped() }()
		if got := CommandServer(t, "GET"); got != url {
			t.Errorf("CommandServer(GET) = %q, want %q", got, url)
		}
		CommandServer(t, "VADD") // Redis 7.0 has no vector sets: skips
		t.Error("CommandServer(VADD) returned on Redis 7.0")
	})
	if !cmdSkipped {
		t.Error("CommandServer(VADD) did not skip")
	}
	if got := redactURL(url); got != "redis://:xxxxx@"+s.Addr()+"/0" {
		t.Errorf("redactURL = %q", got)
	}
}
