package redis

import (
	"errors"

	"github.com/respkit/redis/resp"
)

// ErrTxFailed is returned by Exec when the transaction did not run because
// a key watched with WATCH was changed after it was watched (the server
// replied to EXEC with a null). None of the queued commands ran; the
// caller may watch the keys again and retry.
var ErrTxFailed = errors.New("redis: transaction failed: a watched key changed")

// asExec reads EXEC's reply: one Result per queued command, each carrying
// the command's reply or its error reply; a null reply is ErrTxFailed.
func asExec(v resp.Value, err error) ([]Result, error) {
	if err == nil && v.IsNull() {
		return nil, ErrTxFailed
	}
	elems, err := asSlice(v, err)
	if err != nil {
		return nil, err
	}
	out := make([]Result, len(elems))
	for i, e := range elems {
		if e.IsError() {
			out[i] = Result{err: e.Err()}
		} else {
			out[i] = Result{val: e}
		}
	}
	return out, nil
}
