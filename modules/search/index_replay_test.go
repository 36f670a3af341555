package search

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/captures"
	"github.com/respkit/redis/resp"
)

// replayServer answers commands on loopback with the recorded replies of
// the search captures, for one protocol: each recorded command (matched
// by its exact encoding) gets its replies in the order they were
// recorded. HELLO and CLIENT SETINFO get what a server would answer; any
// other command gets an error reply.
type replayServer struct {
	ln    net.Listener
	proto int

	mu      sync.Mutex // guards replies
	replies map[string][][]byte
}

func startReplay(t *testing.T, proto int) *replayServer {
	t.Helper()
	cases, err := captures.Load("search")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &replayServer{ln: ln, proto: proto, replies: map[string][][]byte{}}
	for _, c := range cases {
		k := string(c.Command())
		s.replies[k] = append(s.replies[k], c.Raw(proto))
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer nc.Close()
				s.serve(nc)
			}()
		}
	}()
	return s
}

func (s *replayServer) serve(nc net.Conn) {
	rd := resp.NewReader(nc, resp.Limits{})
	w := bufio.NewWriter(nc)
	for {
		v, err := rd.Read()
		if err != nil {
			return
		}
		args := make([]any, 0, v.Len())
		for _, a := range v.Elems() {
			args = append(args, a.String())
		}
		w.Write(s.answer(args))
		if rd.Buffered() == 0 {
			if w.Flush() != nil {
				return
			}
		}
	}
}

func (s *replayServer) answer(args []any) []byte {
	name := strings.ToUpper(fmt.Sprint(args[0]))
	switch {
	case name == "HELLO" && s.proto == 3:
		return []byte("%3\r\n+server\r\n+redis\r\n+version\r\n+8.0.0\r\n+proto\r\n:3\r\n")
	case name == "HELLO":
		return []byte("-NOPROTO unsupported protocol version\r\n")
	case name == "CLIENT" || name == "PING":
		return []byte("+OK\r\n")
	}
	enc, err := resp.AppendCommand(nil, args...)
	if err != nil {
		return []byte("-ERR replay: " + err.Error() + "\r\n")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	queue := s.replies[string(enc)]
	if len(queue) == 0 {
		return []byte(fmt.Sprintf("-ERR replay: no recorded reply for %q\r\n", args))
	}
	s.replies[string(enc)] = queue[1:]
	return queue[0]
}

// TestIndexMethodsReplay runs every index-side method of Client, in the
// order the captures were recorded, against the recorded replies: the
// methods send exactly the recorded commands and return the decoded
// values the decoder tests expect.
func TestIndexMethodsReplay(t *testing.T) {
	calls := map[string]func(ctx context.Context, ft *Client) (any, error){
		"ft_list": func(ctx context.Context, ft *Client) (any, error) { return ft.List(ctx) },
		"ft_create_exists_err": func(ctx context.Context, ft *Client) (any, error) {
			return nil, ft.Create(ctx, "idx:movie", nil, NewTextField("title"))
		},
		"ft_create_json_on_hash": func(ctx context.Context, ft *Client) (any, error) {
			return struct{}{}, ft.Create(ctx, "idx:tmp", &CreateOptions{On: OnHash, Prefixes: []string{"tmp:"}, NoStopwords: true},
				NewTextField("t").NoStem(), NewNumericField("n"))
		},
		"ft_info": func(ctx context.Context, ft *Client) (any, error) { return ft.Info(ctx, "idx:movie") },
		"ft_explain": func(ctx context.Context, ft *Client) (any, error) {
			return ft.Explain(ctx, "idx:movie", "@genre:{action} matrix")
		},
		"ft_tagvals": func(ctx context.Context, ft *Client) (any, error) { return ft.TagVals(ctx, "idx:movie", "genre") },
		"ft_spellcheck": func(ctx context.Context, ft *Client) (any, error) {
			return ft.SpellCheck(ctx, "idx:movie", "matrx")
		},
		"ft_dictadd":  func(ctx context.Context, ft *Client) (any, error) { return ft.DictAdd(ctx, "dict:1", "foo", "bar") },
		"ft_dictdump": func(ctx context.Context, ft *Client) (any, error) { return ft.DictDump(ctx, "dict:1") },
		"ft_dictdel":  func(ctx context.Context, ft *Client) (any, error) { return ft.DictDel(ctx, "dict:1", "foo") },
		"ft_sugadd":   func(ctx context.Context, ft *Client) (any, error) { return ft.SugAdd(ctx, "sug:1", "hello world", 1) },
		"ft_sugadd_2": func(ctx context.Context, ft *Client) (any, error) {
			return ft.SugAdd(ctx, "sug:1", "help", 2, SugAddOptions{Payload: "p1"})
		},
		"ft_sugget": func(ctx context.Context, ft *Client) (any, error) {
			return ft.SugGet(ctx, "sug:1", "hel", SugGetOptions{Fuzzy: true, WithScores: true, WithPayloads: true, Max: 5})
		},
		"ft_suglen": func(ctx context.Context, ft *Client) (any, error) { return ft.SugLen(ctx, "sug:1") },
		"ft_sugdel": func(ctx context.Context, ft *Client) (any, error) { return ft.SugDel(ctx, "sug:1", "help") },
		"ft_synupdate": func(ctx context.Context, ft *Client) (any, error) {
			return struct{}{}, ft.SynUpdate(ctx, "idx:movie", "grp1", nil, "film", "movie")
		},
		"ft_syndump": func(ctx context.Context, ft *Client) (any, error) { return ft.SynDump(ctx, "idx:movie") },
		"ft_aliasadd": func(ctx context.Context, ft *Client) (any, error) {
			return struct{}{}, ft.AliasAdd(ctx, "alias:movie", "idx:movie")
		},
		"ft_aliasdel": func(ctx context.Context, ft *Client) (any, error) { return struct{}{}, ft.AliasDel(ctx, "alias:movie") },
		"ft_alter": func(ctx context.Context, ft *Client) (any, error) {
			return struct{}{}, ft.Alter(ctx, "idx:movie", nil, NewTextField("director"))
		},
		"ft_config_get": func(ctx context.Context, ft *Client) (any, error) { return ft.ConfigGet(ctx, "TIMEOUT") },
		"ft_dropindex":  func(ctx context.Context, ft *Client) (any, error) { return struct{}{}, ft.DropIndex(ctx, "idx:tmp") },
		"ft_dropindex_missing_err": func(ctx context.Context, ft *Client) (any, error) {
			return nil, ft.DropIndex(ctx, "idx:tmp")
		},
	}
	cases, err := captures.Load("search")
	if err != nil {
		t.Fatal(err)
	}
	table := indexCaptures()
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			srv := startReplay(t, proto)
			rdb := redis.NewClient(&redis.Options{Addr: srv.ln.Addr().String(), Protocol: proto, DisableIdentity: true})
			defer rdb.Close()
			ft := New(rdb)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			ran := 0
			for _, c := range cases {
				call, ok := calls[c.Name]
				if !ok {
					continue
				}
				ran++
				got, err := call(ctx, ft)
				want := table[c.Name]
				if want.wantErr != "" {
					var re *redis.Error
					if !errors.As(err, &re) || re.Msg != want.wantErr {
						t.Errorf("%s: %v, want the server error %q", c.Name, err, want.wantErr)
					}
					continue
				}
				if err != nil {
					t.Errorf("%s: %v", c.Name, err)
					continue
				}
				w := want.want
				if proto == 3 && want.want3 != nil {
					w = want.want3
				}
				if !sameValue(got, w) {
					t.Errorf("%s: %#v\nwant %#v", c.Name, got, w)
				}
			}
			if ran != len(calls) {
				t.Errorf("ran %d of %d calls: a case name is missing from the captures", ran, len(calls))
			}
		})
	}
}

// TestIndexPipelineReplay queues index-side commands in one pipeline.
func TestIndexPipelineReplay(t *testing.T) {
	srv := startReplay(t, 3)
	rdb := redis.NewClient(&redis.Options{Addr: srv.ln.Addr().String(), DisableIdentity: true})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p := rdb.Pipeline()
	list := redis.Queue(p, List())
	info := redis.Queue(p, Info("idx:movie"))
	bad := redis.Queue(p, DictAdd("dict:none"))
	if err := p.Exec(ctx); err != nil && !strings.Contains(err.Error(), "no terms") {
		t.Fatalf("Exec: %v", err)
	}
	if got, err := list.Result(); err != nil || !sameValue(got, []string{"idx:movie"}) {
		t.Errorf("List: %v, %v", got, err)
	}
	if got, err := info.Result(); err != nil || got.Name != "idx:movie" || got.NumDocs != 4 {
		t.Errorf("Info: %q %d, %v", got.Name, got.NumDocs, err)
	}
	if _, err := bad.Result(); err == nil || !strings.Contains(err.Error(), "FT.DICTADD: no terms") {
		t.Errorf("a rejected command in the pipeline: %v", err)
	}
}
