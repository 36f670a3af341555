package redis_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
	"github.com/respkit/redis/resp"
)

// connRunOn runs a typed command on a reserved connection and decodes its
// reply, for the commands whose Go method is on Client but whose answer
// depends on the connection (CLIENT ID, CLIENT INFO, ...).
func connRunOn[T any](t *testing.T, cn *redis.Conn, cmd redis.Command[T]) (T, error) {
	t.Helper()
	return cmd.Decode(cn.Run(context.Background(), cmd.Cmd).Value())
}

// reserve takes a Conn from c, closed at the end of the test.
func connReserve(t *testing.T, c *redis.Client) *redis.Conn {
	t.Helper()
	cn, err := c.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cn.Close() })
	return cn
}

// connOwnServerClients runs body under RESP2 and RESP3 against srv.
func connOwnServerClients(t *testing.T, srv *redistest.Server, o redis.Options, body func(t *testing.T, c *redis.Client)) {
	t.Helper()
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			o := o
			o.Addr, o.Protocol = srv.Addr(), proto
			c := redis.NewClient(&o)
			t.Cleanup(func() { c.Close() })
			body(t, c)
		})
	}
}

func TestConnectionEncoding(t *testing.T) {
	wantArgs(t, redis.Auth("", "pw"), "AUTH", "pw")
	wantArgs(t, redis.Auth("alice", "pw"), "AUTH", "alice", "pw")
	wantArgs(t, redis.Echo("hi"), "ECHO", "hi")
	wantArgs(t, redis.Select(3), "SELECT", "3")
	wantArgs(t, redis.Quit(), "QUIT")
	wantArgs(t, redis.Reset(), "RESET")
	wantArgs(t, redis.ClientCaching(true), "CLIENT", "CACHING", "YES")
	wantArgs(t, redis.ClientCaching(false), "CLIENT", "CACHING", "NO")
	wantArgs(t, redis.ClientGetName(), "CLIENT", "GETNAME")
	wantArgs(t, redis.ClientGetRedir(), "CLIENT", "GETREDIR")
	wantArgs(t, redis.ClientHelp(), "CLIENT", "HELP")
	wantArgs(t, redis.ClientID(), "CLIENT", "ID")
	wantArgs(t, redis.ClientInfo(), "CLIENT", "INFO")
	wantArgs(t, redis.ClientKill(redis.ClientKillFilter{ID: 7, Type: "Normal", User: "u", Addr: "1.2.3.4:5", LAddr: "127.0.0.1:6379", KillSelf: true, MaxAge: 10 * time.Second}),
		"CLIENT", "KILL", "ID", "7", "TYPE", "normal", "USER", "u", "ADDR", "1.2.3.4:5", "LADDR", "127.0.0.1:6379", "SKIPME", "NO", "MAXAGE", "10")
	wantArgs(t, redis.ClientKill(redis.ClientKillFilter{Type: "pubsub"}), "CLIENT", "KILL", "TYPE", "pubsub")
	wantBuildError(t, redis.ClientKill(redis.ClientKillFilter{}), "at least one")
	wantBuildError(t, redis.ClientKill(redis.ClientKillFilter{KillSelf: true}), "at least one")
	wantBuildError(t, redis.ClientKill(redis.ClientKillFilter{Type: "admin"}), "Type")
	wantBuildError(t, redis.ClientKill(redis.ClientKillFilter{MaxAge: 1500 * time.Millisecond}), "seconds")
	wantArgs(t, redis.ClientKillAddr("1.2.3.4:5"), "CLIENT", "KILL", "1.2.3.4:5")
	wantBuildError(t, redis.ClientKillAddr(""), "empty")
	wantArgs(t, redis.ClientList(), "CLIENT", "LIST")
	wantArgs(t, redis.ClientList(redis.ClientListOptions{Type: "replica"}), "CLIENT", "LIST", "TYPE", "replica")
	wantArgs(t, redis.ClientList(redis.ClientListOptions{IDs: []int64{3, 4}}), "CLIENT", "LIST", "ID", "3", "4")
	wantBuildError(t, redis.ClientList(redis.ClientListOptions{Type: "normal", IDs: []int64{3}}), "Type", "IDs")
	wantBuildError(t, redis.ClientList(redis.ClientListOptions{Type: "slave!"}), "Type")
	wantArgs(t, redis.ClientNoEvict(true), "CLIENT", "NO-EVICT", "ON")
	wantArgs(t, redis.ClientNoEvict(false), "CLIENT", "NO-EVICT", "OFF")
	wantArgs(t, redis.ClientNoTouch(true), "CLIENT", "NO-TOUCH", "ON")
	wantArgs(t, redis.ClientPause(1500*time.Millisecond), "CLIENT", "PAUSE", "1500")
	wantArgs(t, redis.ClientPause(2*time.Second, redis.ClientPauseOptions{Write: true}), "CLIENT", "PAUSE", "2000", "WRITE")
	wantArgs(t, redis.ClientPause(time.Second, redis.ClientPauseOptions{All: true}), "CLIENT", "PAUSE", "1000", "ALL")
	wantBuildError(t, redis.ClientPause(time.Second, redis.ClientPauseOptions{Write: true, All: true}), "Write", "All")
	wantBuildError(t, redis.ClientPause(time.Microsecond), "milliseconds")
	wantArgs(t, redis.ClientReplyOn(), "CLIENT", "REPLY", "ON")
	wantArgs(t, redis.ClientSetLibName("respkit"), "CLIENT", "SETINFO", "LIB-NAME", "respkit")
	wantArgs(t, redis.ClientSetLibVersion("1.2"), "CLIENT", "SETINFO", "LIB-VER", "1.2")
	wantArgs(t, redis.ClientSetName("n"), "CLIENT", "SETNAME", "n")
	wantArgs(t, redis.ClientTracking(false), "CLIENT", "TRACKING", "OFF")
	wantArgs(t, redis.ClientTracking(true, redis.ClientTrackingOptions{Redirect: 5, Prefixes: []string{"a:", "b:"}, BCast: true, NoLoop: true}),
		"CLIENT", "TRACKING", "ON", "REDIRECT", "5", "PREFIX", "a:", "PREFIX", "b:", "BCAST", "NOLOOP")
	wantArgs(t, redis.ClientTracking(true, redis.ClientTrackingOptions{OptIn: true}), "CLIENT", "TRACKING", "ON", "OPTIN")
	wantArgs(t, redis.ClientTracking(true, redis.ClientTrackingOptions{OptOut: true}), "CLIENT", "TRACKING", "ON", "OPTOUT")
	wantBuildError(t, redis.ClientTracking(true, redis.ClientTrackingOptions{OptIn: true, OptOut: true}), "OptIn", "OptOut")
	wantBuildError(t, redis.ClientTracking(true, redis.ClientTrackingOptions{BCast: true, OptIn: true}), "BCast")
	wantBuildError(t, redis.ClientTracking(true, redis.ClientTrackingOptions{Prefixes: []string{"a"}}), "Prefixes")
	wantArgs(t, redis.ClientTrackingInfo(), "CLIENT", "TRACKINGINFO")
	wantArgs(t, redis.ClientUnblock(9), "CLIENT", "UNBLOCK", "9")
	wantArgs(t, redis.ClientUnblock(9, redis.ClientUnblockOptions{Error: true}), "CLIENT", "UNBLOCK", "9", "ERROR")
	wantArgs(t, redis.ClientUnblock(9, redis.ClientUnblockOptions{Timeout: true}), "CLIENT", "UNBLOCK", "9", "TIMEOUT")
	wantBuildError(t, redis.ClientUnblock(9, redis.ClientUnblockOptions{Timeout: true, Error: true}), "Timeout", "Error")
	wantArgs(t, redis.ClientUnpause(), "CLIENT", "UNPAUSE")
}

// TestConnectionClientInfoDecode decodes a fixed CLIENT INFO line: every
// known field into its typed field, the rest into Other.
func TestConnectionClientInfoDecode(t *testing.T) {
	line := "id=7 addr=127.0.0.1:5000 laddr=127.0.0.1:6379 fd=9 name=n age=3 idle=2 flags=N db=1 sub=4 psub=5 ssub=6 " +
		"multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=11 rbs=1024 rbp=0 obl=12 oll=13 omem=14 tot-mem=22298 " +
		"events=r cmd=client|info user=default redir=-1 resp=3 lib-name=respkit lib-ver=1.0 tot-cmds=8\n"
	got, err := redis.ClientInfo().Decode(resp.StringValue(line), nil)
	want := redis.ConnInfo{ID: 7, Addr: "127.0.0.1:5000", LAddr: "127.0.0.1:6379", FD: 9, Name: "n", Age: 3 * time.Second,
		Idle: 2 * time.Second, Flags: "N", DB: 1, Sub: 4, PSub: 5, SSub: 6, Multi: -1, QBuf: 26, QBufFree: 20448, ArgvMem: 10,
		MultiMem: 11, OBL: 12, OLL: 13, OMem: 14, TotMem: 22298, Events: "r", Cmd: "client|info", User: "default", Redir: -1,
		Resp: 3, LibName: "respkit", LibVer: "1.0", Other: map[string]string{"rbs": "1024", "rbp": "0", "tot-cmds": "8"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded %+v, %v\nwant %+v", got, err, want)
	}
	for _, bad := range []string{"id=7 addr", "id=x", "age=1.5"} {
		if _, err := redis.ClientInfo().Decode(resp.StringValue(bad), nil); err == nil {
			t.Errorf("%q decoded without error", bad)
		}
	}
}

// TestConnectionStateRefusedOnClient checks that the commands that change
// their connection's state are Conn methods only, and that a Client
// refuses their command values.
func TestConnectionStateRefusedOnClient(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		for _, cmd := range []*redis.Cmd{redis.Select(1).Cmd, redis.Auth("", "x").Cmd, redis.ClientSetName("x").Cmd,
			redis.ClientReplyOn().Cmd, redis.ClientTracking(true).Cmd, redis.Reset().Cmd, redis.Quit().Cmd} {
			if err := c.Run(ctx, cmd).Err(); err == nil || !strings.Contains(err.Error(), "state of the connection") {
				t.Errorf("%s on a Client: err %v, want a refusal", cmd.Name(), err)
			}
		}
	})
}

func TestConnectionEcho(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		got, err := c.Echo(context.Background(), "hello\r\nworld")
		if err != nil || got != "hello\r\nworld" {
			t.Fatalf("Echo = %q, %v", got, err)
		}
	})
}

func TestConnectionClientIDInfoList(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		proto := int64(c.Options().Protocol)
		cn := connReserve(t, c)
		id, err := connRunOn(t, cn, redis.ClientID())
		if err != nil || id <= 0 {
			t.Fatalf("CLIENT ID = %d, %v", id, err)
		}
		if err := cn.ClientSetName(ctx, "cs-info"); err != nil {
			t.Fatal(err)
		}
		// One reply, read raw and decoded: counters (tot-cmds, tot-net-in,
		// ...) change from one CLIENT INFO to the next.
		reply, err := cn.Do(ctx, "CLIENT", "INFO").Value()
		if err != nil {
			t.Fatal(err)
		}
		raw := reply.String()
		info, err := redis.ClientInfo().Decode(reply, nil)
		if err != nil {
			t.Fatal(err)
		}
		if info.ID != id || info.Name != "cs-info" || info.Resp != proto || info.DB != 0 || info.Multi != -1 ||
			info.User != aclUser(c) || info.Cmd != "client|info" || info.Redir != -1 || !strings.Contains(info.Flags, "N") ||
			info.Addr == "" || info.LAddr == "" || info.FD <= 0 || info.Age < 0 || info.TotMem <= 0 || info.Events != "r" {
			t.Fatalf("CLIENT INFO decoded as %+v from %q", info, raw)
		}
		// Every field of the raw line is either a typed field or in Other.
		for _, f := range strings.Fields(raw) {
			name, val, _ := strings.Cut(f, "=")
			switch name {
			case "id":
				if val != fmt.Sprint(info.ID) {
					t.Errorf("id %s, decoded %d", val, info.ID)
				}
			case "addr":
				if val != info.Addr {
					t.Errorf("addr %s, decoded %s", val, info.Addr)
				}
			case "qbuf", "qbuf-free", "argv-mem", "multi-mem", "obl", "oll", "omem", "tot-mem", "laddr", "fd", "name", "age", "idle",
				"flags", "db", "sub", "psub", "ssub", "multi", "events", "cmd", "user", "redir", "resp", "lib-name", "lib-ver":
				if _, dup := info.Other[name]; dup {
					t.Errorf("known field %s also in Other", name)
				}
			default:
				if info.Other[name] != val {
					t.Errorf("unknown field %s=%s not kept in Other (%v)", name, val, info.Other)
				}
			}
		}

		all, err := c.ClientList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if i := slices.IndexFunc(all, func(ci redis.ConnInfo) bool { return ci.ID == id }); i < 0 || all[i].Name != "cs-info" {
			t.Fatalf("CLIENT LIST (%d entries) has no connection %d named cs-info", len(all), id)
		}
		one, err := c.ClientList(ctx, redis.ClientListOptions{IDs: []int64{id}})
		if err != nil || len(one) != 1 || one[0].ID != id || one[0].Name != "cs-info" || one[0].Resp != proto {
			t.Fatalf("CLIENT LIST ID %d = %+v, %v", id, one, err)
		}
		normal, err := c.ClientList(ctx, redis.ClientListOptions{Type: "normal"})
		if err != nil || !slices.ContainsFunc(normal, func(ci redis.ConnInfo) bool { return ci.ID == id }) {
			t.Fatalf("CLIENT LIST TYPE normal lacks %d: %v", id, err)
		}
		pubsub, err := c.ClientList(ctx, redis.ClientListOptions{Type: "pubsub"})
		if err != nil || slices.ContainsFunc(pubsub, func(ci redis.ConnInfo) bool { return ci.ID == id }) {
			t.Fatalf("CLIENT LIST TYPE pubsub has %d: %v", id, err)
		}
		// On the Client, CLIENT ID and INFO report one of its shared
		// connections.
		sid, err := c.ClientID(ctx)
		if err != nil || sid <= 0 || sid == id {
			t.Fatalf("Client.ClientID = %d, %v", sid, err)
		}
		sinfo, err := c.ClientInfo(ctx)
		if err != nil || sinfo.Resp != proto || sinfo.ID <= 0 {
			t.Fatalf("Client.ClientInfo = %+v, %v", sinfo, err)
		}
	})
}

func TestConnectionClientNames(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		cn := connReserve(t, c)
		if _, err := connRunOn(t, cn, redis.ClientGetName()); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("GETNAME of an unnamed connection: %v, want ErrNil", err)
		}
		if err := cn.ClientSetName(ctx, "cs-named"); err != nil {
			t.Fatal(err)
		}
		if n, err := connRunOn(t, cn, redis.ClientGetName()); err != nil || n != "cs-named" {
			t.Fatalf("GETNAME = %q, %v", n, err)
		}
		if err := cn.ClientSetName(ctx, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := connRunOn(t, cn, redis.ClientGetName()); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("GETNAME after removing the name: %v, want ErrNil", err)
		}
		if err := cn.ClientSetName(ctx, "has space"); err == nil {
			t.Fatal("SETNAME with a space succeeded")
		}

		o := c.Options()
		o.ClientName = "cs-pool"
		named := redis.NewClient(&o)
		defer named.Close()
		if n, err := named.ClientGetName(ctx); err != nil || n != "cs-pool" {
			t.Fatalf("Client.ClientGetName = %q, %v", n, err)
		}
	})
}

func TestConnectionClientSetInfo(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		requireCommand(t, c, "CLIENT SETINFO")
		ctx := context.Background()
		cn := connReserve(t, c)
		if err := cn.ClientSetLibName(ctx, "cs-lib"); err != nil {
			t.Fatal(err)
		}
		if err := cn.ClientSetLibVersion(ctx, "9.8.7"); err != nil {
			t.Fatal(err)
		}
		info, err := connRunOn(t, cn, redis.ClientInfo())
		if err != nil || info.LibName != "cs-lib" || info.LibVer != "9.8.7" {
			t.Fatalf("CLIENT INFO after SETINFO: %+v, %v", info, err)
		}
	})
}

func TestConnectionSelect(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "db")
		cn := connReserve(t, c)
		if err := cn.Select(ctx, 5); err != nil {
			t.Fatal(err)
		}
		defer cn.Do(ctx, "DEL", k)
		if err := cn.Do(ctx, "SET", k, "in5").Err(); err != nil {
			t.Fatal(err)
		}
		if info, err := connRunOn(t, cn, redis.ClientInfo()); err != nil || info.DB != 5 {
			t.Fatalf("CLIENT INFO after SELECT 5: db %d, %v", info.DB, err)
		}
		if _, err := c.Get(ctx, k); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("key set in db 5 seen in db 0: %v", err)
		}
		if err := cn.Select(ctx, 100000); err == nil {
			t.Fatal("SELECT of a database out of range succeeded")
		}
	})
}

func TestConnectionReset(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		cn := connReserve(t, c)
		if err := cn.Select(ctx, 3); err != nil {
			t.Fatal(err)
		}
		if err := cn.ClientSetName(ctx, "cs-reset"); err != nil {
			t.Fatal(err)
		}
		if err := cn.Reset(ctx); err != nil {
			t.Fatal(err)
		}
		info, err := connRunOn(t, cn, redis.ClientInfo())
		if err != nil || info.DB != 0 || info.Name != "" || info.Resp != 2 {
			t.Fatalf("after RESET: %+v, %v", info, err)
		}
	})
}

func TestConnectionQuit(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		cn := connReserve(t, c)
		if err := cn.Quit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := cn.Do(ctx, "PING").Err(); err == nil {
			t.Fatal("PING after QUIT succeeded")
		}
		// The client is unaffected.
		if err := c.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestConnectionAuth(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{Password: "cs-pw",
		Users: []redistest.User{{Name: "alice", Password: "alice-pw", Rules: []string{"~*", "+@all"}}}})
	connOwnServerClients(t, srv, redis.Options{Password: "cs-pw"}, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		cn := connReserve(t, c)
		if err := cn.Auth(ctx, "", "wrong"); !errors.Is(err, redis.ErrWrongPass) {
			t.Fatalf("AUTH with a wrong password: %v, want WRONGPASS", err)
		}
		if err := cn.Auth(ctx, "", "cs-pw"); err != nil {
			t.Fatal(err)
		}
		if err := cn.Auth(ctx, "alice", "alice-pw"); err != nil {
			t.Fatal(err)
		}
		if who, err := cn.Do(ctx, "ACL", "WHOAMI").Text(); err != nil || who != "alice" {
			t.Fatalf("ACL WHOAMI after AUTH alice = %q, %v", who, err)
		}
		if info, err := connRunOn(t, cn, redis.ClientInfo()); err != nil || info.User != "alice" {
			t.Fatalf("CLIENT INFO user = %q, %v", info.User, err)
		}
	})
}

func TestConnectionTracking(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		target := connReserve(t, c)
		targetID, err := connRunOn(t, target, redis.ClientID())
		if err != nil {
			t.Fatal(err)
		}
		cn := connReserve(t, c)
		if redir, err := connRunOn(t, cn, redis.ClientGetRedir()); err != nil || redir != -1 {
			t.Fatalf("GETREDIR before tracking = %d, %v", redir, err)
		}
		if err := cn.ClientTracking(ctx, true, redis.ClientTrackingOptions{Redirect: targetID, BCast: true,
			Prefixes: []string{"cs:a:", "cs:b:"}, NoLoop: true}); err != nil {
			t.Fatal(err)
		}
		ti, err := connRunOn(t, cn, redis.ClientTrackingInfo())
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(ti.Flags)
		slices.Sort(ti.Prefixes)
		if !slices.Equal(ti.Flags, []string{"bcast", "noloop", "on"}) || ti.Redirect != targetID ||
			!slices.Equal(ti.Prefixes, []string{"cs:a:", "cs:b:"}) {
			t.Fatalf("TRACKINGINFO = %+v, want on/bcast/noloop redirecting to %d", ti, targetID)
		}
		if redir, err := connRunOn(t, cn, redis.ClientGetRedir()); err != nil || redir != targetID {
			t.Fatalf("GETREDIR = %d, %v, want %d", redir, err, targetID)
		}
		if err := cn.ClientTracking(ctx, false); err != nil {
			t.Fatal(err)
		}
		// OPTIN and CLIENT CACHING.
		if err := cn.ClientTracking(ctx, true, redis.ClientTrackingOptions{Redirect: targetID, OptIn: true}); err != nil {
			t.Fatal(err)
		}
		if err := cn.ClientCaching(ctx, true); err != nil {
			t.Fatal(err)
		}
		ti, err = connRunOn(t, cn, redis.ClientTrackingInfo())
		if err != nil || !slices.Contains(ti.Flags, "optin") || !slices.Contains(ti.Flags, "caching-yes") {
			t.Fatalf("TRACKINGINFO after OPTIN, CACHING YES = %+v, %v", ti, err)
		}
		if err := cn.ClientCaching(ctx, false); err == nil {
			t.Fatal("CACHING NO in OPTIN mode succeeded")
		}
		if err := cn.ClientTracking(ctx, false); err != nil {
			t.Fatal(err)
		}
		ti, err = connRunOn(t, cn, redis.ClientTrackingInfo())
		if err != nil || !slices.Equal(ti.Flags, []string{"off"}) || ti.Redirect != -1 || len(ti.Prefixes) != 0 {
			t.Fatalf("TRACKINGINFO after OFF = %+v, %v", ti, err)
		}
		// On the Client: its shared connections do not track.
		if ti, err := c.ClientTrackingInfo(ctx); err != nil || !slices.Equal(ti.Flags, []string{"off"}) {
			t.Fatalf("Client.ClientTrackingInfo = %+v, %v", ti, err)
		}
		if redir, err := c.ClientGetRedir(ctx); err != nil || redir != -1 {
			t.Fatalf("Client.ClientGetRedir = %d, %v", redir, err)
		}
	})
}

func TestConnectionNoEvictNoTouch(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		cn := connReserve(t, c)
		flags := func() string {
			info, err := connRunOn(t, cn, redis.ClientInfo())
			if err != nil {
				t.Fatal(err)
			}
			return info.Flags
		}
		if err := cn.ClientNoEvict(ctx, true); err != nil {
			t.Fatal(err)
		}
		if f := flags(); !strings.Contains(f, "e") {
			t.Fatalf("flags after NO-EVICT ON: %q", f)
		}
		if err := cn.ClientNoEvict(ctx, false); err != nil {
			t.Fatal(err)
		}
		if f := flags(); strings.Contains(f, "e") {
			t.Fatalf("flags after NO-EVICT OFF: %q", f)
		}
		t.Run("NoTouch", func(t *testing.T) {
			requireCommand(t, c, "CLIENT NO-TOUCH")
			if err := cn.ClientNoTouch(ctx, true); err != nil {
				t.Fatal(err)
			}
			if f := flags(); !strings.Contains(f, "T") {
				t.Fatalf("flags after NO-TOUCH ON: %q", f)
			}
			if err := cn.ClientNoTouch(ctx, false); err != nil {
				t.Fatal(err)
			}
			if f := flags(); strings.Contains(f, "T") {
				t.Fatalf("flags after NO-TOUCH OFF: %q", f)
			}
		})
	})
}

func TestConnectionReply(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		k1, k2 := key(t, "a"), key(t, "b")
		defer c.Do(ctx, "DEL", k1, k2)
		cn := connReserve(t, c)
		if err := cn.ClientReplyOn(ctx); err != nil {
			t.Fatal(err)
		}
		// The failing INCR's error is not seen; the writes around it happen.
		if err := cn.RunWithoutReplies(ctx, redis.Set(k1, "v1").Cmd, redis.Incr(k1).Cmd, redis.Set(k2, "v2").Cmd); err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string]string{k1: "v1", k2: "v2"} {
			if got, err := c.Get(ctx, k); err != nil || got != want {
				t.Fatalf("GET %s = %q, %v, want %q", k, got, err, want)
			}
		}
		// Replies are on again.
		if s, err := cn.Do(ctx, "ECHO", "back").Text(); err != nil || s != "back" {
			t.Fatalf("ECHO after RunWithoutReplies = %q, %v", s, err)
		}
		if err := cn.RunWithoutReplies(ctx); err != nil {
			t.Fatalf("RunWithoutReplies with no commands: %v", err)
		}
		blpop, err := redis.NewCmd("BLPOP", k1, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []*redis.Cmd{redis.Select(1).Cmd, redis.ClientReplyOn().Cmd, blpop, redis.ClientPause(time.Microsecond).Cmd} {
			if err := cn.RunWithoutReplies(ctx, redis.Set(k1, "x").Cmd, bad); err == nil {
				t.Errorf("RunWithoutReplies accepted %s", bad.Name())
			}
		}
		if got, err := c.Get(ctx, k1); err != nil || got != "v1" {
			t.Fatalf("a refused RunWithoutReplies sent commands: GET = %q, %v", got, err)
		}
	})
}

// connBlockedOn starts BLPOP on a reserved connection and returns its client
// ID and the BLPOP's outcome, once the server reports it blocked.
func connBlockedOn(t *testing.T, c *redis.Client, k string) (int64, <-chan error) {
	t.Helper()
	ctx := context.Background()
	cn := connReserve(t, c)
	id, err := connRunOn(t, cn, redis.ClientID())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cn.Do(ctx, "BLPOP", k, 10).Err() }()
	for deadline := time.Now().Add(5 * time.Second); ; {
		list, err := c.ClientList(ctx, redis.ClientListOptions{IDs: []int64{id}})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 1 && strings.Contains(list[0].Flags, "b") && list[0].Cmd == "blpop" {
			return id, done
		}
		if time.Now().After(deadline) {
			t.Fatalf("connection %d never blocked: %+v", id, list)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestConnectionClientUnblock(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "list")
		id, done := connBlockedOn(t, c, k)
		if ok, err := c.ClientUnblock(ctx, id); err != nil || !ok {
			t.Fatalf("UNBLOCK %d = %v, %v", id, ok, err)
		}
		if err := <-done; !errors.Is(err, redis.ErrNil) {
			t.Fatalf("BLPOP unblocked as by timeout: %v, want ErrNil", err)
		}
		id, done = connBlockedOn(t, c, k)
		if ok, err := c.ClientUnblock(ctx, id, redis.ClientUnblockOptions{Error: true}); err != nil || !ok {
			t.Fatalf("UNBLOCK %d ERROR = %v, %v", id, ok, err)
		}
		if err := <-done; !errors.Is(err, &redis.Error{Msg: "UNBLOCKED"}) {
			t.Fatalf("BLPOP unblocked with ERROR: %v, want UNBLOCKED", err)
		}
		if ok, err := c.ClientUnblock(ctx, id); err != nil || ok {
			t.Fatalf("UNBLOCK of a client not blocked = %v, %v", ok, err)
		}
	})
}

func TestConnectionClientKill(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	connOwnServerClients(t, srv, redis.Options{}, func(t *testing.T, c *redis.Client) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		idOf := func(cn *redis.Conn) redis.ConnInfo {
			info, err := connRunOn(t, cn, redis.ClientInfo())
			if err != nil {
				t.Fatal(err)
			}
			return info
		}
		alive := func(cn *redis.Conn) bool { return cn.Do(ctx, "PING").Err() == nil }

		a, b, d := connReserve(t, c), connReserve(t, c), connReserve(t, c)
		ia, ib, id := idOf(a), idOf(b), idOf(d)
		if n, err := c.ClientKill(ctx, redis.ClientKillFilter{ID: ia.ID}); err != nil || n != 1 {
			t.Fatalf("KILL ID %d = %d, %v", ia.ID, n, err)
		}
		if alive(a) {
			t.Fatal("connection alive after CLIENT KILL ID")
		}
		// All filters must match: the right address with a wrong ID kills nothing.
		if n, err := c.ClientKill(ctx, redis.ClientKillFilter{ID: ib.ID + 1000, Addr: ib.Addr}); err != nil || n != 0 {
			t.Fatalf("KILL with mismatched filters = %d, %v", n, err)
		}
		if n, err := c.ClientKill(ctx, redis.ClientKillFilter{Addr: ib.Addr, LAddr: ib.LAddr, User: "default", Type: "normal"}); err != nil || n != 1 {
			t.Fatalf("KILL ADDR %s = %d, %v", ib.Addr, n, err)
		}
		if alive(b) {
			t.Fatal("connection alive after CLIENT KILL ADDR")
		}
		if err := c.ClientKillAddr(ctx, id.Addr); err != nil {
			t.Fatal(err)
		}
		if alive(d) {
			t.Fatal("connection alive after CLIENT KILL addr")
		}
		if err := c.ClientKillAddr(ctx, id.Addr); err == nil {
			t.Fatal("old-form KILL of a closed address succeeded")
		}
		// The connection running the command is spared unless KillSelf.
		e := connReserve(t, c)
		ie := idOf(e)
		if n, err := connRunOn(t, e, redis.ClientKill(redis.ClientKillFilter{ID: ie.ID})); err != nil || n != 0 {
			t.Fatalf("KILL of itself without KillSelf = %d, %v", n, err)
		}
		if n, err := connRunOn(t, e, redis.ClientKill(redis.ClientKillFilter{ID: ie.ID, KillSelf: true})); err != nil || n != 1 {
			t.Fatalf("KILL of itself with KillSelf = %d, %v", n, err)
		}
		if alive(e) {
			t.Fatal("connection alive after killing itself")
		}
		if err := c.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// TestConnectionClientKillMaxAge runs on its own server: KILL MAXAGE on a
// shared one would close other clients' old connections.
func TestConnectionClientKillMaxAge(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	connOwnServerClients(t, srv, redis.Options{}, func(t *testing.T, c *redis.Client) {
		// The probe's ID filter matches no connection.
		requireSupport(t, c, "CLIENT KILL MAXAGE (Redis 7.4)", "CLIENT", "KILL", "ID", int64(1)<<62, "MAXAGE", 3600)
		cn := connReserve(t, c)
		if n, err := c.ClientKill(context.Background(), redis.ClientKillFilter{MaxAge: time.Hour, Type: "normal"}); err != nil || n != 0 {
			t.Fatalf("KILL MAXAGE 3600 = %d, %v", n, err)
		}
		if err := cn.Do(context.Background(), "PING").Err(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestConnectionClientPause(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	connOwnServerClients(t, srv, redis.Options{}, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "k")
		if err := c.ClientPause(ctx, 10*time.Second, redis.ClientPauseOptions{Write: true}); err != nil {
			t.Fatal(err)
		}
		unpaused := false
		defer func() {
			if !unpaused {
				c.ClientUnpause(ctx)
			}
		}()
		// The held write runs on its own connection, so that it does not
		// hold up the commands queued behind it on a shared one.
		w := connReserve(t, c)
		short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		err := w.Do(short, "SET", k, "v").Err()
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("SET during CLIENT PAUSE WRITE: %v, want it held until the deadline", err)
		}
		if _, err := c.Get(ctx, k); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("GET during CLIENT PAUSE WRITE: %v, want ErrNil", err)
		}
		if err := c.ClientUnpause(ctx); err != nil {
			t.Fatal(err)
		}
		unpaused = true
		if err := c.Set(ctx, k, "v2"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestConnectionClientHelp(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		lines, err := c.ClientHelp(context.Background())
		if err != nil || len(lines) < 5 || !strings.Contains(lines[0], "CLIENT") {
			t.Fatalf("CLIENT HELP = %q, %v", lines, err)
		}
	})
}
