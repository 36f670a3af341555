package redis

func appendPFAdd(b *builder, key string, elements []any) {
	b.begin(cmdPFADD)
	b.key(key)
	for _, e := range elements {
		b.arg(e)
	}
}

func appendPFMerge(b *builder, destkey string, sourcekeys []string) {
	b.begin(cmdPFMERGE)
	b.key(destkey)
	for _, k := range sourcekeys {
		b.key(k)
	}
}

// appendPFDebug encodes PFDEBUG sub key; the key (not the subcommand) is
// what routes the command.
func appendPFDebug(b *builder, sub, key string) {
	b.begin(cmdPFDEBUG)
	b.str(sub)
	b.key(key)
}

func appendPFDebugGetReg(b *builder, key string)   { appendPFDebug(b, "GETREG", key) }
func appendPFDebugEncoding(b *builder, key string) { appendPFDebug(b, "ENCODING", key) }
func appendPFDebugToDense(b *builder, key string)  { appendPFDebug(b, "TODENSE", key) }
func appendPFDebugDecode(b *builder, key string)   { appendPFDebug(b, "DECODE", key) }
