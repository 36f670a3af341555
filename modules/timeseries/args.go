package timeseries

import (
	"strconv"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// args is the argument list of a command being built. The first error a
// builder reports sticks: the command is then never sent, and running it
// returns that error (redis.CommandError), alone or in a pipeline.
type args struct {
	list []any
	err  error
}

// newArgs starts the argument list of the named command.
func newArgs(name string, capacity int) *args {
	a := &args{list: make([]any, 0, capacity)}
	a.list = append(a.list, name)
	return a
}

func (a *args) add(xs ...any) { a.list = append(a.list, xs...) }

func (a *args) addInt(n int64) { a.list = append(a.list, strconv.FormatInt(n, 10)) }

// fail records err unless an earlier error is already recorded.
func (a *args) fail(err error) {
	if a.err == nil && err != nil {
		a.err = err
	}
}

// command finishes the list into a typed command, or into a command that
// returns the recorded error without being sent.
func command[T any](a *args, decode func(resp.Value, error) (T, error)) redis.Command[T] {
	if a.err != nil {
		return redis.CommandError(a.list[0].(string), a.err, decode)
	}
	return redis.NewCommand(decode, a.list...)
}

// decodeStatus reads an OK (status) reply.
func decodeStatus(v resp.Value, err error) (struct{}, error) {
	if err := failure(v, err); err != nil {
		return struct{}{}, err
	}
	if v.Type() != resp.SimpleString {
		return struct{}{}, &redis.ReplyTypeError{Want: "status", Got: v.Type()}
	}
	return struct{}{}, nil
}

// decodeCount reads an integer reply.
func decodeCount(v resp.Value, err error) (int64, error) {
	return redis.ResultOf(v, err).Int64()
}

// failure returns the error a reply stands for: err itself, the server's
// error (*redis.Error) for an error reply, redis.ErrNil for a null; nil
// for any other reply.
func failure(v resp.Value, err error) error {
	switch {
	case err != nil:
		return err
	case v.IsError():
		return v.Err()
	case v.IsNull():
		return redis.ErrNil
	}
	return nil
}
