package redistest

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// ModulesURLEnv names the variable that points module integration tests
// at a server with modules loaded (Redis 8, or Redis Stack), as a
// redis://, rediss:// or unix:// URL. The servers redistest starts are the
// machine's redis-server, usually without modules.
const ModulesURLEnv = "REDIS_MODULES_URL"

// ModuleServer returns the URL in $REDIS_MODULES_URL when the server
// there has loaded a module with one of the given names (as MODULE LIST
// reports them: "ReJSON" or "json", "search", "timeseries", "bf",
// "vectorset"; matched ignoring case), and otherwise skips the test with
// the reason: the variable is unset, the server cannot be reached, or it
// lacks the module. The URL's user, password and database are passed on
// untouched for the caller's client; ModuleServer itself only connects,
// authenticates and runs MODULE LIST.
func ModuleServer(t testing.TB, names ...string) string {
	t.Helper()
	raw := os.Getenv(ModulesURLEnv)
	if raw == "" {
		t.Skipf("needs a server with the %s module: set %s to its redis:// URL (the test servers started here have no modules)", strings.Join(names, " or "), ModulesURLEnv)
	}
	loaded, err := moduleList(raw, time.Now().Add(5*time.Second))
	if err != nil {
		t.Skipf("%s=%s: cannot list its modules: %v", ModulesURLEnv, redactURL(raw), err)
	}
	for _, n := range names {
		if slices.ContainsFunc(loaded, func(m string) bool { return strings.EqualFold(m, n) }) {
			return raw
		}
	}
	list := strings.Join(loaded, ", ")
	if list == "" {
		list = "none loaded"
	}
	t.Skipf("the server at %s=%s has no %s module (MODULE LIST: %s)", ModulesURLEnv, redactURL(raw), strings.Join(names, " or "), list)
	return ""
}

// CommandServer returns the URL in $REDIS_MODULES_URL when the server
// there knows the command (COMMAND INFO, e.g. "VADD": vector sets are
// built into Redis 8 rather than loaded), and otherwise skips the test
// with the reason.
func CommandServer(t testing.TB, command string) string {
	t.Helper()
	raw := os.Getenv(ModulesURLEnv)
	if raw == "" {
		t.Skipf("needs a server with the %s command: set %s to its redis:// URL (the test servers started here are older)", command, ModulesURLEnv)
	}
	deadline := time.Now().Add(5 * time.Second)
	c, err := dialURL(raw, deadline)
	if err != nil {
		t.Skipf("%s=%s: cannot connect: %v", ModulesURLEnv, redactURL(raw), err)
	}
	defer c.close()
	reply, err := c.do(deadline, "COMMAND", "INFO", command)
	if err != nil {
		t.Skipf("%s=%s: COMMAND INFO %s: %v", ModulesURLEnv, redactURL(raw), command, err)
	}
	if a, ok := reply.([]any); !ok || len(a) != 1 || a[0] == nil {
		t.Skipf("the server at %s=%s does not have %s (COMMAND INFO)", ModulesURLEnv, redactURL(raw), command)
	}
	return raw
}

// moduleList connects to the server at rawURL and returns the names of its
// loaded modules.
func moduleList(rawURL string, deadline time.Time) ([]string, error) {
	c, err := dialURL(rawURL, deadline)
	if err != nil {
		return nil, err
	}
	defer c.close()
	reply, err := c.do(deadline, "MODULE", "LIST")
	if err != nil {
		return nil, fmt.Errorf("MODULE LIST: %w", err)
	}
	mods, ok := reply.([]any)
	if !ok {
		return nil, fmt.Errorf("MODULE LIST: unexpected reply %#v", reply)
	}
	var names []string
	for _, m := range mods {
		fields, ok := m.([]any)
		if !ok {
			return nil, fmt.Errorf("MODULE LIST: unexpected entry %#v", m)
		}
		for i := 0; i+1 < len(fields); i += 2 {
			if fields[i] == "name" {
				if n, ok := fields[i+1].(string); ok {
					names = append(names, n)
				}
			}
		}
	}
	return names, nil
}

// dialURL connects to the server at a redis://, rediss:// or unix:// URL
// and authenticates with its user and password, if any.
func dialURL(rawURL string, deadline time.Time) (*respConn, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Deadline: deadline}
	var conn net.Conn
	switch u.Scheme {
	case "redis":
		conn, err = d.Dial("tcp", hostPort(u))
	case "rediss":
		td := tls.Dialer{NetDialer: &d, Config: &tls.Config{ServerName: u.Hostname()}}
		conn, err = td.Dial("tcp", hostPort(u))
	case "unix":
		conn, err = d.Dial("unix", u.Path)
	default:
		return nil, fmt.Errorf("scheme %q: want redis, rediss or unix", u.Scheme)
	}
	if err != nil {
		return nil, err
	}
	c := &respConn{conn: conn, r: bufio.NewReader(conn)}
	if pw, ok := u.User.Password(); ok {
		args := []string{"AUTH", pw}
		if user := u.User.Username(); user != "" {
			args = []string{"AUTH", user, pw}
		}
		if _, err := c.do(deadline, args...); err != nil {
			c.close()
			return nil, fmt.Errorf("AUTH: %w", err)
		}
	}
	return c, nil
}

func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "6379"
	}
	host := u.Hostname()
	if host == "" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// redactURL hides a URL's password, for messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
