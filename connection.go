package redis

import (
	"fmt"

	"github.com/respkit/redis/resp"
)

func appendPing(b *builder) { b.begin(cmdPING) }

func asPong(v resp.Value, err error) (struct{}, error) {
	if err := check(v, err); err != nil {
		return struct{}{}, err
	}
	if v.String() != "PONG" {
		return struct{}{}, fmt.Errorf("redis: PING got %#v, want PONG", v)
	}
	return struct{}{}, nil
}

// HelloInfo is what the server says of itself and the connection in reply
// to HELLO.
type HelloInfo struct {
	Server  string // "redis" (or "valkey", ...)
	Version string // such as "7.0.15"
	Proto   int    // the connection's protocol: 2 or 3
	ID      int64  // the connection's client ID
	Mode    string // "standalone", "cluster" or "sentinel"
	Role    string // "master" or "replica"
	Modules []ModuleInfo
}

// ModuleInfo names a loaded module.
type ModuleInfo struct {
	Name    string
	Version int64
}

func asHello(v resp.Value, err error) (HelloInfo, error) {
	m, err := asMap(v, err)
	if err != nil {
		return HelloInfo{}, err
	}
	h := HelloInfo{
		Server: m["server"].String(), Version: m["version"].String(),
		Mode: m["mode"].String(), Role: m["role"].String(),
	}
	proto, _ := asInt64(m["proto"], nil)
	h.Proto = int(proto)
	h.ID, _ = asInt64(m["id"], nil)
	for _, mod := range m["modules"].Elems() {
		mm, err := asMap(mod, nil)
		if err != nil {
			return h, fmt.Errorf("redis: HELLO modules: %w", err)
		}
		ver, _ := asInt64(mm["ver"], nil)
		h.Modules = append(h.Modules, ModuleInfo{Name: mm["name"].String(), Version: ver})
	}
	return h, nil
}

func appendHello(b *builder) {
	b.begin(cmdHELLO)
	// HELLO without a protocol version only reports; it changes nothing on
	// the connection, so it may run on a shared one.
	b.c.flags &^= FlagConnState
}
