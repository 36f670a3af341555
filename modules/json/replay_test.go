package redisjson_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/captures"
	redisjson "github.com/respkit/redis/modules/json"
	"github.com/respkit/redis/resp"
)

// replayServer is a RESP server that answers each data command with the
// recorded reply of the next case queued, and remembers the command it
// received: enough to run the Client's methods, pipelines and
// transactions end to end through a real *redis.Client, with no module
// server. It answers HELLO (switching to RESP3 replies on HELLO 3),
// CLIENT ... and MULTI/EXEC itself.
type replayServer struct {
	ln net.Listener
	wg sync.WaitGroup

	mu       sync.Mutex // guards the fields below
	queue    []*captures.Case
	received [][]byte
	conns    []net.Conn
	resp3    int // connections switched to RESP3 by HELLO 3
}

func startReplayServer(t *testing.T) *replayServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &replayServer{ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, conn)
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(conn)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

// expect queues the cases whose replies the next data commands get.
func (s *replayServer) expect(cases ...*captures.Case) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, cases...)
	s.received = nil
}

// commands returns the data commands received since the last expect.
func (s *replayServer) commands() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.received
}

// next takes the case for a data command just received.
func (s *replayServer) next(cmd []byte) *captures.Case {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = append(s.received, cmd)
	if len(s.queue) == 0 {
		return nil
	}
	c := s.queue[0]
	s.queue = s.queue[1:]
	return c
}

func (s *replayServer) serve(conn net.Conn) {
	defer conn.Close()
	rd := resp.NewReader(bufio.NewReader(conn), resp.Limits{})
	proto := 2
	var inTx bool
	var txReplies [][]byte
	for {
		v, err := rd.Read()
		if err != nil {
			return
		}
		args := make([]any, v.Len())
		for i, a := range v.Elems() {
			args[i] = bytes.Clone(a.Bytes())
		}
		cmd, _ := resp.AppendCommand(nil, args...)
		name := strings.ToUpper(string(args[0].([]byte)))
		var out []byte
		switch name {
		case "HELLO":
			if len(args) > 1 && string(args[1].([]byte)) == "3" {
				proto = 3
				s.mu.Lock()
				s.resp3++
				s.mu.Unlock()
				out = []byte("%1\r\n+proto\r\n:3\r\n")
			} else {
				out = []byte("*2\r\n+proto\r\n:2\r\n")
			}
		case "CLIENT", "PING", "SELECT":
			out = []byte("+OK\r\n")
		case "MULTI":
			inTx, txReplies = true, nil
			out = []byte("+OK\r\n")
		case "EXEC":
			out = []byte("*" + strconv.Itoa(len(txReplies)) + "\r\n")
			for _, r := range txReplies {
				out = append(out, r...)
			}
			inTx = false
		default:
			c := s.next(cmd)
			reply := []byte("-ERR replay: no case queued\r\n")
			if c != nil {
				reply = c.Raw(proto)
			}
			if inTx {
				txReplies = append(txReplies, reply)
				out = []byte("+QUEUED\r\n")
			} else {
				out = reply
			}
		}
		if _, err := conn.Write(out); err != nil {
			return
		}
	}
}

// methodCalls runs, for recorded cases, the Client method that sends the
// case's command, with the case's arguments.
func methodCalls() map[string]func(context.Context, *redisjson.Client) (any, error) {
	type call = func(context.Context, *redisjson.Client) (any, error)
	return map[string]call{
		"json_set_root": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return struct{}{}, j.Set(ctx, "doc", "$", firstDoc())
		},
		"json_set_nx_exists": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return nil, j.Set(ctx, "doc", "$", json.RawMessage(`{}`), redisjson.SetOptions{NX: true})
		},
		"json_get_dollar_root": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return redisjson.Get[[]doc](ctx, j, "doc", "$")
		},
		"json_get_no_path": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return redisjson.Get[doc](ctx, j, "doc", "")
		},
		"json_get_two_legacy_paths": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.Get(ctx, "doc", ".a", ".s")
		},
		"json_get_format": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.GetWith(ctx, "doc", redisjson.GetOptions{Indent: "  ", Newline: "\n", Space: " "}, "$.b")
		},
		"json_get_missing_key": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.Get(ctx, "nokey", "$")
		},
		"json_get_wrongtype_err": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.Get(ctx, "strkey", "$")
		},
		"json_resp_numbers": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.Resp(ctx, "num", "")
		},
		"json_type_dollar_all": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.Type(ctx, "doc", "$.*")
		},
		"json_strlen_dollar_nonstring": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.StrLen(ctx, "doc", "$.*")
		},
		"json_strappend_dollar": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.StrAppend(ctx, "doc", "$.s", "bar")
		},
		"json_numincrby_dollar_multi": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.NumIncrBy(ctx, "doc", "$..a", 2)
		},
		"json_nummultby_legacy": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.NumMultBy(ctx, "doc", ".f", 3)
		},
		"json_toggle_legacy": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.Toggle(ctx, "doc", ".t")
		},
		"json_arrappend_dollar": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.ArrAppend(ctx, "doc", "$.arr", 4, "five")
		},
		"json_arrindex_dollar": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.ArrIndex(ctx, "doc", "$.arr", 2)
		},
		"json_arrindex_range": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.ArrIndexRange(ctx, "doc", "$.arr", 1, 1, 3)
		},
		"json_arrinsert_legacy_negative": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.ArrInsert(ctx, "doc", ".arr", -1, 99)
		},
		"json_arrlen_dollar_all": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.ArrLen(ctx, "doc", "$.*")
		},
		"json_arrpop_dollar_default": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.ArrPop(ctx, "doc", "$.arr")
		},
		"json_arrpop_dollar_index": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.ArrPopAt(ctx, "doc", "$.arr", 0)
		},
		"json_arrtrim_dollar": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.ArrTrim(ctx, "doc", "$.arr", 1, 3)
		},
		"json_objkeys_dollar_root": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.ObjKeys(ctx, "doc", "$")
		},
		"json_objlen_legacy": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.ObjLen(ctx, "doc", ".b")
		},
		"json_mget_legacy": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.MGet(ctx, ".a", "doc", "doc2", "nokey")
		},
		"json_mget_dollar": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return redisjson.Run(ctx, j, redisjson.MGetAs[[]any]("$..a", "doc", "doc2", "nokey"))
		},
		"json_mset": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return struct{}{}, j.MSet(ctx,
				redisjson.MSetEntry{Key: "m1", Path: "$", Value: map[string]int{"x": 1}},
				redisjson.MSetEntry{Key: "m2", Path: "$", Value: []int{1, 2}})
		},
		"json_merge": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return nil, j.Merge(ctx, "doc2", "$", map[string]any{"a": nil, "z": map[string]any{"y": 1}})
		},
		"json_debug_memory_dollar": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.DebugMemory(ctx, "doc", "$..a")
		},
		"json_debug_help": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.DebugHelp(ctx)
		},
		"json_clear_dollar": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.Clear(ctx, "doc", "$.b")
		},
		"json_del_dollar_multi": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.Del(ctx, "doc2", "$..a")
		},
		"json_forget_dollar": func(ctx context.Context, j *redisjson.Client) (any, error) {
			return j.Forget(ctx, "doc", "$.s")
		},
	}
}

// TestMethodsReplay runs the Client's methods through a *redis.Client
// against the replay server, under RESP2 and RESP3: each must send the
// recorded command and return what the recorded reply decodes to.
func TestMethodsReplay(t *testing.T) {
	cases := captures.ByName(loadCaptures(t))
	want := captureCases()
	srv := startReplayServer(t)
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			rdb := redis.NewClient(&redis.Options{Addr: srv.ln.Addr().String(), Protocol: proto, DisableIdentity: true})
			defer rdb.Close()
			j := redisjson.New(rdb)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			for name, call := range methodCalls() {
				c := cases[name]
				if c == nil {
					t.Fatalf("%s: no such recorded case", name)
				}
				srv.expect(c)
				got, err := call(ctx, j)
				if sent := srv.commands(); len(sent) != 1 || !bytes.Equal(sent[0], c.Command()) {
					t.Errorf("%s: sent %q, want %q", name, sent, c.Command())
				}
				checkDecoded(t, name, proto, got, err, want[name].want)
			}
			srv.mu.Lock()
			resp3 := srv.resp3
			srv.mu.Unlock()
			if (resp3 > 0) != (proto == 3) {
				t.Errorf("RESP%d: %d connections sent HELLO 3", proto, resp3)
			}
		})
	}
}

// TestPipelineAndTxReplay queues command values in a pipeline and in a
// transaction and checks each typed reply.
func TestPipelineAndTxReplay(t *testing.T) {
	cases := captures.ByName(loadCaptures(t))
	srv := startReplayServer(t)
	for _, proto := range []int{2, 3} {
		for _, tx := range []bool{false, true} {
			name := "RESP" + strconv.Itoa(proto) + map[bool]string{false: "/pipeline", true: "/tx"}[tx]
			t.Run(name, func(t *testing.T) {
				rdb := redis.NewClient(&redis.Options{Addr: srv.ln.Addr().String(), Protocol: proto, DisableIdentity: true})
				defer rdb.Close()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				srv.expect(cases["json_set_root"], cases["json_get_dollar_root"], cases["json_arrlen_dollar_all"],
					cases["json_mget_legacy"], cases["json_get_wrongtype_err"])
				p := rdb.Pipeline()
				if tx {
					p = rdb.TxPipeline()
				}
				set := redis.Queue(p, redisjson.Set("doc", "$", firstDoc()))
				get := redis.Queue(p, redisjson.GetAs[[]doc]("doc", "$"))
				lens := redis.Queue(p, redisjson.ArrLen("doc", "$.*"))
				mget := redis.Queue(p, redisjson.MGet(".a", "doc", "doc2", "nokey"))
				wrong := redis.Queue(p, redisjson.GetAs[json.RawMessage]("strkey", "$"))
				err := p.Exec(ctx)
				var se *redis.Error
				if !errors.As(err, &se) || se.Code() != "WRONGTYPE" {
					t.Errorf("Exec: %v, want the WRONGTYPE of the last command", err)
				}
				if _, err := set.Result(); err != nil {
					t.Errorf("set: %v", err)
				}
				if d, err := get.Result(); err != nil || len(d) != 1 || d[0].S != "foo" || d[0].B.C != "x" {
					t.Errorf("get: %+v, %v", d, err)
				}
				if l, err := lens.Result(); err != nil || len(l) != 9 || !l[2].Valid || l[2].V != 9 || l[0].Valid {
					t.Errorf("arrlen: %+v, %v", l, err)
				}
				if m, err := mget.Result(); err != nil || len(m) != 3 || string(m[1].V) != `"two"` || m[2].Valid {
					t.Errorf("mget: %+v, %v", m, err)
				}
				if _, err := wrong.Result(); !errors.Is(err, &redis.Error{Msg: "WRONGTYPE"}) {
					t.Errorf("get strkey: %v, want WRONGTYPE", err)
				}
				if n := len(srv.commands()); n != 5 {
					t.Errorf("the server received %d data commands, want 5", n)
				}
			})
		}
	}
}
