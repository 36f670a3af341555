package cluster

import (
	"testing"

	"github.com/respkit/redis"
)

func TestParseRedirect(t *testing.T) {
	for _, tc := range []struct {
		msg, from string
		want      redirection
		ok        bool
	}{
		{"MOVED 3999 127.0.0.1:6381", "127.0.0.1:7000", redirection{slot: 3999, addr: "127.0.0.1:6381"}, true},
		{"ASK 0 10.0.0.2:7001", "x:1", redirection{ask: true, slot: 0, addr: "10.0.0.2:7001"}, true},
		{"MOVED 16383 [::1]:7000", "x:1", redirection{slot: 16383, addr: "[::1]:7000"}, true},
		{"MOVED 12 :7002", "10.1.1.1:7000", redirection{slot: 12, addr: "10.1.1.1:7002"}, true}, // unknown endpoint: the replying node's host
		{"MOVED 16384 h:1", "x:1", redirection{}, false},
		{"MOVED -1 h:1", "x:1", redirection{}, false},
		{"MOVED x h:1", "x:1", redirection{}, false},
		{"MOVED 1", "x:1", redirection{}, false},
		{"MOVED 1 nohostport", "x:1", redirection{}, false},
		{"ERR something", "x:1", redirection{}, false},
	} {
		got, ok := parseRedirect(tc.msg, tc.from)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseRedirect(%q) = %+v, %v; want %+v, %v", tc.msg, got, ok, tc.want, tc.ok)
		}
	}
}

func TestFirstArg(t *testing.T) {
	for _, tc := range []struct {
		args []any
		want string
		ok   bool
	}{
		{[]any{"PUBLISH", "news", "hi"}, "news", true},
		{[]any{"PING"}, "", false},
		{[]any{"ECHO", ""}, "", true},
		{[]any{"CLUSTER", "INFO"}, "INFO", true},
	} {
		cmd, err := redis.NewCmd(tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		got := firstArg(cmd.Bytes())
		if (got != nil) != tc.ok || string(got) != tc.want {
			t.Errorf("firstArg(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
	for _, bad := range []string{"", "*", "*2\r\n", "*2\r\n$4\r\nPING\r\n", "*2\r\n$9\r\nPING\r\n$1\r\nx\r\n", "*2\r\n$4\r\nPING\r\n$5\r\nx\r\n"} {
		if got := firstArg([]byte(bad)); got != nil {
			t.Errorf("firstArg(%q) = %q, want nil", bad, got)
		}
	}
}
