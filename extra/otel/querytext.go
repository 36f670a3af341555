package redisotel

import (
	"strconv"
	"strings"
)

const (
	maxArgLen  = 64   // bytes of one argument kept in db.query.text
	maxTextLen = 1024 // no argument is added to db.query.text past this length
)

// credentialCommands carry passwords among their arguments: db.query.text
// shows them with every argument replaced by "?".
var credentialCommands = map[string]bool{
	"AUTH":            true,
	"HELLO":           true,
	"ACL SETUSER":     true,
	"CONFIG SET":      true,
	"MIGRATE":         true,
	"SENTINEL SET":    true,
	"SENTINEL CONFIG": true,
}

// queryText is the db.query.text of the command name with args, its
// arguments after the name as CommandCall.Args holds them (a subcommand's
// name among them), in the style of redis-cli: plain arguments as they
// are, others quoted, long ones cut, credentials hidden.
func queryText(name string, args [][]byte) string {
	if skip := strings.Count(name, " "); skip <= len(args) {
		args = args[skip:]
	} else {
		args = nil
	}
	redact := credentialCommands[name]
	var b strings.Builder
	b.WriteString(name)
	for i, a := range args {
		if b.Len() >= maxTextLen {
			b.WriteString(" ...(")
			b.WriteString(strconv.Itoa(len(args) - i))
			b.WriteString(" more)")
			break
		}
		b.WriteByte(' ')
		if redact {
			b.WriteByte('?')
			continue
		}
		writeArg(&b, a)
	}
	return b.String()
}

// writeArg writes one argument, quoted unless it is plain printable ASCII,
// cut after maxArgLen bytes.
func writeArg(b *strings.Builder, a []byte) {
	n := len(a)
	if n > maxArgLen {
		a = a[:maxArgLen]
	}
	if plain(a) {
		b.Write(a)
	} else {
		b.WriteString(strconv.Quote(string(a)))
	}
	if n > maxArgLen {
		b.WriteString("...(")
		b.WriteString(strconv.Itoa(n))
		b.WriteString(" bytes)")
	}
}

func plain(a []byte) bool {
	if len(a) == 0 {
		return false
	}
	for _, c := range a {
		if c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '\\' {
			return false
		}
	}
	return true
}
