package moduletest

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"testing"
)

// EachProtocol runs fn as two subtests of t, "RESP2" and "RESP3", with the
// protocol for the client the test opens.
func EachProtocol(t *testing.T, fn func(t *testing.T, proto int)) {
	t.Helper()
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) { fn(t, proto) })
	}
}

// RunID returns 12 random hex digits, to make the keys (and labels) of
// one test run on a shared server its own: "pkg-test:{" + RunID() + "}:"
// is a key prefix whose hash tag keeps the run's keys in one cluster
// slot.
func RunID() string {
	var id [6]byte
	rand.Read(id[:]) // never fails (crypto/rand)
	return hex.EncodeToString(id[:])
}
