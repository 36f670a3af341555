package redisotel

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/respkit/redis"
)

func TestQueryTextFormat(t *testing.T) {
	long := strings.Repeat("x", 100)
	many := make([][]byte, 200)
	for i := range many {
		many[i] = []byte(strings.Repeat("a", 20))
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"GET", []string{"k"}, "GET k"},
		{"SET", []string{"k", "two words"}, `SET k "two words"`},
		{"SET", []string{"k", ""}, `SET k ""`},
		{"SET", []string{"k", "\x00\xff"}, `SET k "\x00\xff"`},
		{"SET", []string{"k", long}, "SET k " + long[:64] + "...(100 bytes)"},
		{"AUTH", []string{"user", "secret"}, "AUTH ? ?"},
		{"HELLO", []string{"3", "AUTH", "user", "secret"}, "HELLO ? ? ? ?"},
		{"CONFIG SET", []string{"SET", "requirepass", "secret"}, "CONFIG SET ? ?"},
		{"ACL SETUSER", []string{"SETUSER", "bob", ">secret"}, "ACL SETUSER ? ?"},
		{"CLIENT KILL", []string{"KILL", "ID", "7"}, "CLIENT KILL ID 7"},
		{"CLIENT KILL", nil, "CLIENT KILL"},
	} {
		var args [][]byte
		for _, a := range tc.args {
			args = append(args, []byte(a))
		}
		if got := queryText(tc.name, args); got != tc.want {
			t.Errorf("queryText(%q, %q) = %q, want %q", tc.name, tc.args, got, tc.want)
		}
	}
	got := queryText("MSET", many)
	if len(got) > maxTextLen+64 || !strings.HasSuffix(got, " more)") {
		t.Errorf("queryText of 200 arguments: %d bytes, ending %q", len(got), got[len(got)-20:])
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err       error
		typ, code string
	}{
		{nil, "", ""},
		{redis.ErrNil, "", ""},
		{&redis.Error{Msg: "WRONGTYPE Operation against a key"}, "WRONGTYPE", "WRONGTYPE"},
		{fmt.Errorf("wrapped: %w", &redis.Error{Msg: "ERR syntax error"}), "ERR", "ERR"},
		{&redis.Error{Msg: "lower case"}, "_OTHER", ""},
		{redis.ErrClosed, "redis.ErrClosed", ""},
		{fmt.Errorf("x: %w", redis.ErrPoolTimeout), "redis.ErrPoolTimeout", ""},
		{errors.New("plain"), "*errors.errorString", ""},
	} {
		if typ, code := classify(tc.err); typ != tc.typ || code != tc.code {
			t.Errorf("classify(%v) = %q, %q; want %q, %q", tc.err, typ, code, tc.typ, tc.code)
		}
	}
}

func TestBatchName(t *testing.T) {
	for _, tc := range []struct {
		p    redis.PipelineCall
		want string
	}{
		{redis.PipelineCall{Names: []string{"GET"}}, "GET"},
		{redis.PipelineCall{Names: []string{"GET", "GET"}}, "BATCH GET"},
		{redis.PipelineCall{Names: []string{"GET", "SET"}}, "BATCH"},
		{redis.PipelineCall{Names: []string{"GET", "SET"}, Tx: true}, "MULTI"},
		{redis.PipelineCall{}, "BATCH"},
	} {
		if got := batchName(&tc.p); got != tc.want {
			t.Errorf("batchName(%+v) = %q, want %q", tc.p, got, tc.want)
		}
	}
}
