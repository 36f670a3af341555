package redis

import (
	"fmt"
	"strings"
	"time"

	"github.com/respkit/redis/resp"
)

// KeyElement is an element popped by BLPOP or BRPOP, with the key of the
// list it came from.
type KeyElement struct {
	Key     string // the list the element was popped from
	Element string // the element
}

// KeyElements are the elements popped by LMPOP or BLMPOP from one list,
// with that list's key.
type KeyElements struct {
	Key      string   // the list the elements were popped from
	Elements []string // the elements, in the order they were popped
}

// LMPopOptions are the optional arguments of LMPOP and BLMPOP. The zero
// value pops one element.
type LMPopOptions struct {
	// Count pops up to this many elements (COUNT). Zero sends nothing,
	// which pops one; it must not be negative.
	Count int64
}

// appendLMPopTail writes the part LMPOP and BLMPOP share: numkeys, the
// keys, the direction and the count.
func appendLMPopTail(b *builder, where string, keys []string, opts []LMPopOptions) {
	if len(keys) == 0 {
		b.fail("needs at least one key")
	}
	b.int(int64(len(keys)))
	for _, k := range keys {
		b.key(k)
	}
	switch {
	case strings.EqualFold(where, "LEFT"):
		b.str("LEFT")
	case strings.EqualFold(where, "RIGHT"):
		b.str("RIGHT")
	default:
		b.fail("where must be LEFT or RIGHT, not %q", where)
	}
	switch len(opts) {
	case 0:
	case 1:
		if n := opts[0].Count; n < 0 {
			b.fail("negative Count %d", n)
		} else if n > 0 {
			b.str("COUNT")
			b.int(n)
		}
	default:
		b.fail("at most one LMPopOptions, got %d", len(opts))
	}
}

func appendLMPop(b *builder, where string, keys []string, opts []LMPopOptions) {
	b.begin(cmdLMPOP)
	appendLMPopTail(b, where, keys, opts)
}

func appendBLMPop(b *builder, timeout time.Duration, where string, keys []string, opts []LMPopOptions) {
	b.begin(cmdBLMPOP)
	b.fseconds(timeout)
	appendLMPopTail(b, where, keys, opts)
	b.blockFor(timeout)
}

// asKeyElement reads BLPOP's and BRPOP's reply: [key, element], or a null
// on timeout (ErrNil).
func asKeyElement(v resp.Value, err error) (KeyElement, error) {
	elems, err := asSlice(v, err)
	if err != nil {
		return KeyElement{}, err
	}
	if len(elems) != 2 {
		return KeyElement{}, fmt.Errorf("redis: pop reply has %d elements, want 2 (key and element)", len(elems))
	}
	var ke KeyElement
	if ke.Key, err = asString(elems[0], nil); err != nil {
		return KeyElement{}, fmt.Errorf("redis: pop reply key: %w", err)
	}
	if ke.Element, err = asString(elems[1], nil); err != nil {
		return KeyElement{}, fmt.Errorf("redis: pop reply element: %w", err)
	}
	return ke, nil
}

// asKeyElements reads LMPOP's and BLMPOP's reply: [key, [element ...]], or
// a null when nothing was popped (ErrNil).
func asKeyElements(v resp.Value, err error) (KeyElements, error) {
	elems, err := asSlice(v, err)
	if err != nil {
		return KeyElements{}, err
	}
	if len(elems) != 2 {
		return KeyElements{}, fmt.Errorf("redis: pop reply has %d elements, want 2 (key and elements)", len(elems))
	}
	var ke KeyElements
	if ke.Key, err = asString(elems[0], nil); err != nil {
		return KeyElements{}, fmt.Errorf("redis: pop reply key: %w", err)
	}
	if ke.Elements, err = asStrings(elems[1], nil); err != nil {
		return KeyElements{}, fmt.Errorf("redis: pop reply elements: %w", err)
	}
	return ke, nil
}

// asStringsOrEmpty reads an array of strings where a null reply (LPOP and
// RPOP with a count, on a missing key) means no elements: it returns an
// empty slice rather than ErrNil.
func asStringsOrEmpty(v resp.Value, err error) ([]string, error) {
	if err == nil && v.IsNull() {
		return []string{}, nil
	}
	return asStrings(v, err)
}
