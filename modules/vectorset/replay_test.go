package vectorset_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/captures"
	"github.com/respkit/redis/modules/vectorset"
	"github.com/respkit/redis/resp"
)

// replayServer answers the recorded commands with their recorded replies,
// over TCP, so that the Client's methods run end to end (handshake,
// encoding, the connection's reader, decoding) without a Redis 8 server.
// A connection that sent HELLO 3 gets the RESP3 replies, any other the
// RESP2 ones. A command must match, byte for byte, the next recorded case
// with its encoding not yet replayed, so the methods must send exactly
// what was recorded; anything else gets an error reply naming it.
type replayServer struct {
	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex // guards used, conns and resp3
	cases []*captures.Case
	used  []bool
	conns []net.Conn
	// resp3 counts the replies sent in RESP3 (on connections that sent
	// HELLO 3).
	resp3 int
}

func startReplayServer(t *testing.T, cases []*captures.Case) *replayServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &replayServer{ln: ln, cases: cases, used: make([]bool, len(cases))}
	s.wg.Add(1)
	go s.accept()
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

func (s *replayServer) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		s.wg.Add(1)
		go s.serve(c)
	}
}

func (s *replayServer) serve(c net.Conn) {
	defer s.wg.Done()
	defer c.Close()
	rd := resp.NewReader(c, resp.Limits{})
	proto := 2
	for {
		v, err := rd.Read()
		if err != nil || v.Len() == 0 {
			return
		}
		args := make([]any, v.Len())
		for i, e := range v.Elems() {
			args[i] = e.Bytes()
		}
		var out []byte
		switch name := strings.ToUpper(v.Elems()[0].String()); name {
		case "HELLO":
			proto = 3
			out = []byte("%3\r\n+server\r\n+replay\r\n+proto\r\n:3\r\n+mode\r\n+standalone\r\n")
		case "PING":
			out = []byte("+PONG\r\n")
		case "CLIENT", "SELECT":
			out = []byte("+OK\r\n")
		default:
			sent, _ := resp.AppendCommand(nil, args...)
			out = s.reply(sent, proto)
		}
		if _, err := c.Write(out); err != nil {
			return
		}
	}
}

// reply finds the next unreplayed case sending exactly sent.
func (s *replayServer) reply(sent []byte, proto int) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, c := range s.cases {
		if !s.used[i] && bytes.Equal(c.Command(), sent) {
			s.used[i] = true
			if proto == 3 {
				s.resp3++
			}
			return c.Raw(proto)
		}
	}
	return []byte("-REPLAY no recorded case sends " + strings.ReplaceAll(strings.ReplaceAll(string(sent), "\r", `\r`), "\n", `\n`) + "\r\n")
}

// methodCall runs one recorded case through a method of Client (or the
// generic GetAttr).
type methodCall func(ctx context.Context, vs *vectorset.Client) (any, error)

func call[T any](f func(ctx context.Context, vs *vectorset.Client) (T, error)) methodCall {
	return func(ctx context.Context, vs *vectorset.Client) (any, error) { return f(ctx, vs) }
}

// methodCalls maps each recorded case the API can send to the Client
// method that sends it (the cases in the notEncoded list of the capture
// table cannot be sent; TYPE runs on the *redis.Client).
func methodCalls() map[string]methodCall {
	type C = context.Context
	type V = *vectorset.Client
	values := vectorset.AddOptions{Values: true}
	add := func(key, elem string, vec []float32, o vectorset.AddOptions) methodCall {
		return call(func(ctx C, vs V) (bool, error) { return vs.Add(ctx, key, elem, vec, o) })
	}
	sim := func(key string, q vectorset.Query, o vectorset.SimOptions) methodCall {
		return call(func(ctx C, vs V) ([]vectorset.Match, error) { return vs.Sim(ctx, key, q, o) })
	}
	q123 := vectorset.Vector([]float32{0.1, 0.2, 0.3})
	return map[string]methodCall{
		"vadd_values":                 add("vs:1", "a", []float32{0.1, 0.2, 0.3}, values),
		"vadd_values_b_setattr":       add("vs:1", "b", []float32{0.9, 0.1, 0}, vectorset.AddOptions{Values: true, Attributes: movie{1999, "drama"}}),
		"vadd_fp32_blob":              add("vs:1", "c", []float32{0.2, 0.25, 0.3}, vectorset.AddOptions{Attributes: movie{2010, "action"}}),
		"vadd_more_d":                 add("vs:1", "d", []float32{-0.5, 0.4, 0.1}, vectorset.AddOptions{Values: true, EF: 200, M: 16}),
		"vadd_update_existing":        add("vs:1", "a", []float32{0.1, 0.2, 0.31}, values),
		"vadd_cas_noquant":            add("vs:nq", "x", []float32{1, 0}, vectorset.AddOptions{Values: true, CAS: true, Quantization: vectorset.NoQuant}),
		"vadd_bin":                    add("vs:bin", "p", []float32{1, -1, 1, -1}, vectorset.AddOptions{Values: true, Quantization: vectorset.Bin}),
		"vadd_reduce":                 add("vs:red", "r1", []float32{1, 2, 3, 4}, vectorset.AddOptions{Values: true, Reduce: 2}),
		"vadd_dim_mismatch_err":       add("vs:1", "e", []float32{0.1, 0.2}, values),
		"vadd_wrongtype_err":          add("strkey", "e", []float32{0.1}, values),
		"vcard":                       call(func(ctx C, vs V) (int64, error) { return vs.Card(ctx, "vs:1") }),
		"vcard_missing":               call(func(ctx C, vs V) (int64, error) { return vs.Card(ctx, "vs:none") }),
		"vdim":                        call(func(ctx C, vs V) (int64, error) { return vs.Dim(ctx, "vs:1") }),
		"vdim_reduced":                call(func(ctx C, vs V) (int64, error) { return vs.Dim(ctx, "vs:red") }),
		"vdim_missing_err":            call(func(ctx C, vs V) (int64, error) { return vs.Dim(ctx, "vs:none") }),
		"vsim_values":                 sim("vs:1", q123, vectorset.SimOptions{Values: true}),
		"vsim_withscores":             sim("vs:1", q123, vectorset.SimOptions{Values: true, WithScores: true}),
		"vsim_ele_withscores_count":   sim("vs:1", vectorset.Element("a"), vectorset.SimOptions{WithScores: true, Count: 2}),
		"vsim_withscores_withattribs": sim("vs:1", vectorset.Element("a"), vectorset.SimOptions{WithScores: true, WithAttribs: true}),
		"vsim_withattribs":            sim("vs:1", vectorset.Element("a"), vectorset.SimOptions{WithAttribs: true}),
		"vsim_fp32":                   sim("vs:1", vectorset.Vector([]float32{0.9, 0.1, 0}), vectorset.SimOptions{Count: 1}),
		"vsim_filter":                 sim("vs:1", vectorset.Element("a"), vectorset.SimOptions{Filter: ".year > 2000", WithScores: true}),
		"vsim_epsilon_ef_truth":       sim("vs:1", vectorset.Element("a"), vectorset.SimOptions{Epsilon: 0.5, EF: 100, Truth: true, NoThread: true}),
		"vsim_missing_key":            sim("vs:none", q123, vectorset.SimOptions{Values: true}),
		"vsim_missing_ele_err":        sim("vs:1", vectorset.Element("zzz"), vectorset.SimOptions{}),
		"vsim_bad_filter_err":         sim("vs:1", vectorset.Element("a"), vectorset.SimOptions{Filter: ".year >"}),
		"vemb":                        call(func(ctx C, vs V) ([]float32, error) { return vs.Emb(ctx, "vs:1", "a") }),
		"vemb_raw":                    call(func(ctx C, vs V) (vectorset.RawEmbedding, error) { return vs.EmbRaw(ctx, "vs:1", "a") }),
		"vemb_raw_noquant":            call(func(ctx C, vs V) (vectorset.RawEmbedding, error) { return vs.EmbRaw(ctx, "vs:nq", "x") }),
		"vemb_raw_bin":                call(func(ctx C, vs V) (vectorset.RawEmbedding, error) { return vs.EmbRaw(ctx, "vs:bin", "p") }),
		"vemb_missing_ele":            call(func(ctx C, vs V) ([]float32, error) { return vs.Emb(ctx, "vs:1", "zzz") }),
		"vemb_missing_key":            call(func(ctx C, vs V) ([]float32, error) { return vs.Emb(ctx, "vs:none", "a") }),
		"vlinks":                      call(func(ctx C, vs V) ([][]string, error) { return vs.Links(ctx, "vs:1", "a") }),
		"vlinks_withscores":           call(func(ctx C, vs V) ([][]vectorset.Match, error) { return vs.LinksWithScores(ctx, "vs:1", "a") }),
		"vlinks_missing":              call(func(ctx C, vs V) ([][]string, error) { return vs.Links(ctx, "vs:1", "zzz") }),
		"vinfo":                       call(func(ctx C, vs V) (vectorset.SetInfo, error) { return vs.Info(ctx, "vs:1") }),
		"vinfo_missing":               call(func(ctx C, vs V) (vectorset.SetInfo, error) { return vs.Info(ctx, "vs:none") }),
		"vgetattr":                    call(func(ctx C, vs V) (movie, error) { return vectorset.GetAttr[movie](ctx, vs, "vs:1", "b") }),
		"vgetattr_none":               call(func(ctx C, vs V) (json.RawMessage, error) { return vs.GetAttr(ctx, "vs:1", "a") }),
		"vgetattr_missing_key":        call(func(ctx C, vs V) (json.RawMessage, error) { return vs.GetAttr(ctx, "vs:none", "a") }),
		"vsetattr":                    call(func(ctx C, vs V) (bool, error) { return vs.SetAttr(ctx, "vs:1", "a", map[string]int{"year": 2020}) }),
		"vsetattr_clear":              call(func(ctx C, vs V) (bool, error) { return vs.SetAttr(ctx, "vs:1", "d", nil) }),
		"vsetattr_missing_ele":        call(func(ctx C, vs V) (bool, error) { return vs.SetAttr(ctx, "vs:1", "zzz", struct{}{}) }),
		"vismember_yes":               call(func(ctx C, vs V) (bool, error) { return vs.IsMember(ctx, "vs:1", "a") }),
		"vismember_no":                call(func(ctx C, vs V) (bool, error) { return vs.IsMember(ctx, "vs:1", "zzz") }),
		"vrandmember_single":          call(func(ctx C, vs V) (string, error) { return vs.RandMember(ctx, "vs:nq") }),
		"vrandmember_count_pos":       call(func(ctx C, vs V) ([]string, error) { return vs.RandMemberCount(ctx, "vs:1", 10) }),
		"vrandmember_count_neg":       call(func(ctx C, vs V) ([]string, error) { return vs.RandMemberCount(ctx, "vs:nq", -3) }),
		"vrandmember_missing_key":     call(func(ctx C, vs V) (string, error) { return vs.RandMember(ctx, "vs:none") }),
		"vrandmember_missing_key_count": call(func(ctx C, vs V) ([]string, error) {
			return vs.RandMemberCount(ctx, "vs:none", 3)
		}),
		"vrange_all": call(func(ctx C, vs V) ([]string, error) { return vs.Range(ctx, "vs:1", "-", "+") }),
		"vrange_count": call(func(ctx C, vs V) ([]string, error) {
			return vs.Range(ctx, "vs:1", "[b", "+", vectorset.RangeOptions{Count: 2})
		}),
		"vrem":             call(func(ctx C, vs V) (bool, error) { return vs.Rem(ctx, "vs:1", "d") }),
		"vrem_missing":     call(func(ctx C, vs V) (bool, error) { return vs.Rem(ctx, "vs:1", "d") }),
		"vcard_after_vrem": call(func(ctx C, vs V) (int64, error) { return vs.Card(ctx, "vs:1") }),
		"type_vectorset":   call(func(ctx C, vs V) (string, error) { return vs.Redis().Type(ctx, "vs:1") }),
	}
}

// TestReplayMethods runs every recorded case the API can send through the
// Client's methods, in the recorded order, against the replay server,
// under RESP2 and RESP3, and checks the results against the capture
// table's.
func TestReplayMethods(t *testing.T) {
	cases := loadCaptures(t)
	table := captureCases()
	calls := methodCalls()
	for _, proto := range []int{2, 3} {
		t.Run(map[int]string{2: "RESP2", 3: "RESP3"}[proto], func(t *testing.T) {
			srv := startReplayServer(t, cases)
			rdb := redis.NewClient(&redis.Options{Addr: srv.ln.Addr().String(), Protocol: proto})
			defer rdb.Close()
			vs := vectorset.New(rdb)
			ran := 0
			for _, c := range cases {
				cc := table[c.Name]
				f, ok := calls[c.Name]
				if !ok {
					if cc.notEncoded == "" {
						t.Errorf("%s: no method call in the replay table", c.Name)
					}
					continue
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				got, err := f(ctx, vs)
				cancel()
				if checkDecoded(t, c.Name, proto, got, err, cc) {
					ran++
				}
			}
			srv.mu.Lock()
			resp3 := srv.resp3
			srv.mu.Unlock()
			if want := map[int]int{2: 0, 3: ran}[proto]; resp3 != want {
				t.Errorf("%d replies were sent in RESP3, want %d", resp3, want)
			}
			t.Logf("%d/%d recorded cases replayed through the Client's methods", ran, len(cases))
			if want := len(cases) - 3; ran != want {
				t.Errorf("replayed %d cases, want %d", ran, want)
			}
		})
	}
}
