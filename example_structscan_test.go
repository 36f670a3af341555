package redis_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/respkit/redis"
)

// Account is the struct of the struct-scanning examples.
type Account struct {
	Name    string        `redis:"name"`
	Balance int64         `redis:"balance"`
	Opened  time.Time     `redis:"opened"`
	Timeout time.Duration `redis:"timeout,omitempty"`
	Note    *string       `redis:"note"` // nil: no such field
	Cache   []int         `redis:"-"`    // not a Redis field
}

// A hash as HGETALL returns it, read into a struct.
func ExampleScanStruct() {
	fields := map[string]string{
		"name":    "ann",
		"balance": "120",
		"opened":  "2024-03-01T09:30:00Z",
		"other":   "ignored",
	}
	var a Account
	if err := redis.ScanStruct(&a, fields); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Name, a.Balance, a.Opened.Format(time.DateOnly), a.Note == nil)

	// A value that does not convert names both fields.
	fields["balance"] = "lots"
	fmt.Println(redis.ScanStruct(&a, fields))
	// Output:
	// ann 120 2024-03-01 true
	// redis: field "balance" into Account.Balance (int64): strconv.ParseInt: parsing "lots": invalid syntax
}

// A struct as HSET arguments: the nil pointer and the empty omitempty
// field are left out.
func ExampleStructFields() {
	a := Account{Name: "ann", Balance: 120, Opened: time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)}
	fields, err := redis.StructFields(a)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range fields {
		fmt.Printf("%s=%v\n", f.Field, f.Value)
	}
	// Output:
	// name=ann
	// balance=120
	// opened=2024-03-01T09:30:00Z
}

// A stream entry read into a struct.
func ExampleXMessage_Scan() {
	m := redis.XMessage{ID: "1700000000000-0", Fields: []redis.XField{
		{Name: "name", Value: "ann"},
		{Name: "balance", Value: "-5"},
		{Name: "timeout", Value: "1500000000"},
	}}
	var a Account
	if err := m.Scan(&a); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Name, a.Balance, a.Timeout)
	// Output: ann -5 1.5s
}

// Writing a struct to a hash and reading it back (needs a server).
func ExampleClient_HSetStruct() {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
	defer rdb.Close()

	note := "vip"
	in := Account{Name: "ann", Balance: 120, Opened: time.Now(), Note: &note}
	if _, err := rdb.HSetStruct(ctx, "account:1", in); err != nil {
		fmt.Println(err)
		return
	}

	// HMGET of the struct's fields.
	var out Account
	err := rdb.HGetStruct(ctx, "account:1", &out)
	if errors.Is(err, redis.ErrNil) {
		fmt.Println("no such account")
		return
	}

	// Or HGETALL, into a new value.
	out, err = redis.HashStruct[Account](rdb.HGetAll(ctx, "account:1"))
	fmt.Println(out.Name, err)
}
