package redistest_test

import (
	"testing"

	"github.com/respkit/redis/redistest"
)

// BenchmarkStart measures StartServer (until the server answers PING) plus
// Close.
func BenchmarkStart(b *testing.B) {
	for _, bc := range []struct {
		name string
		cfg  redistest.Config
	}{
		{"plain", redistest.Config{}},
		{"tls", redistest.Config{TLS: true}},
		{"mtls", redistest.Config{TLS: true, TLSAuthClients: "yes"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				srv, err := redistest.StartServer(bc.cfg)
				if err != nil {
					b.Fatal(err)
				}
				if err := srv.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
