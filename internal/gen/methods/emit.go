package main

import (
	"bytes"
	"fmt"
	"go/format"
	"slices"
	"sort"
	"strings"
)

// member is a Go parameter or struct field carrying an argument.
type member struct {
	name, typ, doc string
}

// command is the generation state of one API entry.
type command struct {
	a       *API
	c       *specCmd
	params  []member
	opts    []member
	code    strings.Builder
	depth   int // loop nesting, for variable names
	uses    map[string]bool
	types   *typeSet
	exprs   map[string]string // argument path → Go expression, for Block
	kinds   map[string]string
	used    map[string]bool // Args, Names, Fix, Omit entries that matched
	errs    []string
	indent  int
	curPath string // path of the argument being emitted, for Docs
}

func (g *command) fail(format string, args ...any) {
	g.errs = append(g.errs, fmt.Sprintf(format, args...))
}

func (g *command) line(format string, args ...any) {
	g.code.WriteString(strings.Repeat("\t", g.indent+1))
	fmt.Fprintf(&g.code, format, args...)
	g.code.WriteByte('\n')
}

// kind is the Go representation of a scalar argument.
func (g *command) kind(a specArg, path string) string {
	if k, ok := g.a.Args[path]; ok {
		g.used["args:"+path] = true
		return k
	}
	switch a.Type {
	case "key":
		return "key"
	case "string", "pattern":
		return "string"
	case "integer":
		return "int64"
	case "double":
		return "float64"
	case "unix-time":
		return "unix"
	}
	g.fail("%s: argument %s has type %q", g.a.Cmd, path, a.Type)
	return "string"
}

// goType is the Go type of a scalar kind.
func goType(kind string) string {
	switch kind {
	case "key", "string":
		return "string"
	case "seconds", "ms", "fseconds":
		return "time.Duration"
	case "unix", "unixms":
		return "time.Time"
	}
	return kind // any, int64, float64, uint64, *int64, *float64
}

// encode returns the statement that sends a scalar of kind k held in x.
func encode(k, x string) string {
	switch k {
	case "key":
		return "b.key(" + x + ")"
	case "string":
		return "b.str(" + x + ")"
	case "any":
		return "b.arg(" + x + ")"
	case "int64":
		return "b.int(" + x + ")"
	case "uint64":
		return "b.uint(" + x + ")"
	case "float64":
		return "b.float(" + x + ")"
	case "*int64":
		return "b.int(*" + x + ")"
	case "*float64":
		return "b.float(*" + x + ")"
	case "seconds":
		return "b.seconds(" + x + ")"
	case "ms":
		return "b.millis(" + x + ")"
	case "fseconds":
		return "b.fseconds(" + x + ")"
	case "unix":
		return "b.int(" + x + ".Unix())"
	case "unixms":
		return "b.int(" + x + ".UnixMilli())"
	}
	return "b.arg(" + x + ")"
}

// present returns the condition under which an optional value x of Go
// type t counts as given.
func present(t, x string) string {
	switch {
	case t == "bool":
		return x
	case t == "string":
		return x + ` != ""`
	case t == "time.Time":
		return "!" + x + ".IsZero()"
	case strings.HasPrefix(t, "[]"):
		return "len(" + x + ") > 0"
	case strings.HasPrefix(t, "*"), t == "any":
		return x + " != nil"
	}
	return x + " != 0"
}

func (g *command) path(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func (g *command) listed(list []string, tag, path string) bool {
	if slices.Contains(list, path) {
		g.used[tag+":"+path] = true
		return true
	}
	return false
}

// owner says where the members of the arguments being emitted go: the
// parameters (prefix ""), the options struct ("o.") or a block struct.
type owner struct {
	prefix  string
	members *[]member
	inOpts  bool // optional arguments here are fields of the options struct
	block   string
}

func (g *command) name(a specArg, path string, exported bool) string {
	if n, ok := g.a.Names[path]; ok {
		g.used["names:"+path] = true
		return n
	}
	if exported {
		return plural(camel(a.Name, true), a.Multiple)
	}
	n := plural(camel(a.Name, false), a.Multiple)
	switch n {
	case "b", "c", "cn", "ctx", "o", "opts", "v", "i":
		n += "Arg"
	}
	if isKeyword(n) {
		n += "Arg"
	}
	return n
}

// add declares a member and returns the expression that reads it.
func (g *command) add(ow owner, m member) string {
	if d, ok := g.a.Docs[g.curPath]; ok {
		g.used["docs:"+g.curPath] = true
		m.doc = d
	}
	for _, old := range *ow.members {
		if old.name == m.name {
			g.fail("%s: two arguments map to %s%s; rename one with Names", g.a.Cmd, ow.prefix, m.name)
		}
	}
	*ow.members = append(*ow.members, m)
	return ow.prefix + m.name
}

// arg emits argument a. required says whether it is always sent (relative
// to its enclosing block); top-level optional arguments become fields of
// the options struct.
func (g *command) arg(a specArg, parent string, ow owner, required bool) {
	path := g.path(parent, a.Name)
	g.curPath = path
	if a.Optional && g.listed(g.a.Omit, "omit", path) {
		return
	}
	if a.Optional && parent == "" && g.listed(g.a.Require, "require", path) {
		a.Optional, required = false, true
	}
	target := ow
	if !required && ow.prefix == "" && ow.block == "" {
		target = owner{prefix: "o.", members: &g.opts, inOpts: true}
	}
	exported := target.prefix != ""
	doc := g.argDoc(a)
	switch a.Type {
	case "pure-token":
		if required {
			g.line("b.str(%q)", a.Token)
			return
		}
		if g.listed(g.a.Fix, "fix", path) {
			g.line("b.str(%q)", a.Token)
			return
		}
		x := g.add(target, member{g.name(a, path, exported), "bool", "sends " + a.Token + g.sinceNote(a)})
		g.exprs[path] = x
		g.line("if %s {", x)
		g.line("\tb.str(%q)", a.Token)
		g.line("}")
	case "oneof":
		g.oneof(a, path, target, required)
	case "block":
		g.block(a, path, target, required, doc)
	default:
		g.scalar(a, path, target, required, exported, doc)
	}
}

// scalar emits a scalar argument a (one value, or a list of them when
// a.Multiple), held by a parameter or field of target.
func (g *command) scalar(a specArg, path string, target owner, required, exported bool, doc string) {
	k := g.kind(a, path)
	t := goType(k)
	if a.Multiple {
		t = "[]" + t
	}
	if strings.HasPrefix(k, "*") && required {
		g.fail("%s: required argument %s cannot be %s", g.a.Cmd, path, k)
	}
	x := g.add(target, member{g.name(a, path, exported), t, doc})
	g.exprs[path], g.kinds[path] = x, k
	if t == "time.Duration" || t == "time.Time" || strings.HasSuffix(t, "]time.Duration") || strings.HasSuffix(t, "]time.Time") {
		g.uses["time"] = true
	}
	if !a.Multiple {
		if !required {
			g.line("if %s {", present(t, x))
			g.indent++
		}
		if a.Token != "" {
			g.line("b.str(%q)", a.Token)
		}
		g.line("%s", encode(k, x))
		if !required {
			g.indent--
			g.line("}")
		}
		return
	}
	if required {
		g.line("if len(%s) == 0 {", x)
		g.line("\tb.fail(%q)", "needs at least one "+a.Name)
		g.line("}")
	} else {
		g.line("if len(%s) > 0 {", x)
		g.indent++
	}
	if a.Token != "" && !a.MultipleToken {
		g.line("b.str(%q)", a.Token)
	}
	v := g.loopVar()
	g.line("for _, %s := range %s {", v, x)
	if a.MultipleToken {
		g.line("\tb.str(%q)", a.Token)
	}
	g.line("\t%s", encode(k, v))
	g.line("}")
	g.depth--
	if !required {
		g.indent--
		g.line("}")
	}
}

func (g *command) loopVar() string {
	g.depth++
	return fmt.Sprintf("v%d", g.depth)
}

func (g *command) sinceNote(a specArg) string {
	if a.Since != "" && a.Since != g.c.Since {
		return " (Redis " + a.Since + ")"
	}
	return ""
}

func (g *command) argDoc(a specArg) string {
	if a.Type == "block" {
		b := a
		b.Optional, b.Multiple = false, false
		s := "sends " + syntaxArg(b)
		if a.Multiple {
			s += ", one or more times"
		}
		return s + g.sinceNote(a)
	}
	s := "is " + a.Name
	if a.Token != "" {
		s = "sends " + a.Token + " " + a.Name
	}
	if a.Multiple {
		s += ", one or more"
	}
	return s + g.sinceNote(a)
}

// oneof emits a choice. Every alternative becomes its own member; at most
// one may be given, and exactly one when the choice is required. A
// required choice between pure tokens is a string member instead.
func (g *command) oneof(a specArg, path string, ow owner, required bool) {
	allTokens := true
	for _, alt := range a.Args {
		if alt.Type != "pure-token" {
			allTokens = false
		}
	}
	if required && allTokens {
		var toks []string
		for _, alt := range a.Args {
			toks = append(toks, alt.Token)
		}
		x := g.add(ow, member{g.name(a, path, ow.prefix != ""), "string", "is one of " + strings.Join(toks, ", ") + g.sinceNote(a)})
		g.exprs[path] = x
		if a.Token != "" {
			g.line("b.str(%q)", a.Token)
		}
		quoted := make([]string, len(toks))
		for i, t := range toks {
			quoted[i] = fmt.Sprintf("%q", t)
		}
		g.line("b.choice(%s, %q, %s)", x, a.Name, strings.Join(quoted, ", "))
		return
	}
	if required && ow.prefix == "" {
		g.fail("%s: required choice %s between valued alternatives at the top level; write it by hand (Manual)", g.a.Cmd, path)
		return
	}
	// Collect the alternatives' presence conditions first, to check them.
	start := len(*ow.members)
	var conds, names []string
	var body strings.Builder
	saved := g.code
	g.code = strings.Builder{}
	for _, alt := range a.Args {
		altPath := g.path(path, alt.Name)
		if g.listed(g.a.Omit, "omit", altPath) {
			continue
		}
		alt.Optional = true
		n := len(*ow.members)
		g.arg(alt, path, ow, false)
		if len(*ow.members) == n {
			if g.listed(g.a.Fix, "fix", altPath) {
				continue
			}
			g.fail("%s: alternative %s gave no member", g.a.Cmd, altPath)
			continue
		}
		m := (*ow.members)[len(*ow.members)-1]
		conds = append(conds, present(m.typ, ow.prefix+m.name))
		names = append(names, m.name)
	}
	body.WriteString(g.code.String())
	g.code = saved
	_ = start
	if a.Token != "" {
		// The choice's own token comes before whichever alternative is
		// given (TYPE normal|master|..., FILTERBY MODULE name|...).
		if required {
			g.line("b.str(%q)", a.Token)
		} else {
			g.line("if %s {", strings.Join(conds, " || "))
			g.line("\tb.str(%q)", a.Token)
			g.line("}")
		}
	}
	if len(conds) > 1 || required {
		g.uses["choice"] = true
		g.line("if n := count(%s); n > 1 {", strings.Join(conds, ", "))
		g.line("\tb.fail(%q)", "at most one of "+strings.Join(names, ", ")+" may be set")
		if required {
			g.line("} else if n == 0 {")
			g.line("\tb.fail(%q)", "one of "+strings.Join(names, ", ")+" must be set")
		}
		g.line("}")
	}
	g.code.WriteString(body.String())
}

// block emits a group of arguments. A required single block is flattened
// into its owner; an optional one is a pointer to a struct; a repeated one
// a slice of structs.
func (g *command) block(a specArg, path string, ow owner, required bool, doc string) {
	if required && !a.Multiple {
		if a.Token != "" {
			g.line("b.str(%q)", a.Token)
		}
		for _, sub := range a.Args {
			g.arg(sub, path, ow, !sub.Optional)
		}
		return
	}
	typ, ok := g.a.Args[path]
	if ok {
		g.used["args:"+path] = true
	} else {
		typ = g.a.Method + camel(a.Name, true)
	}
	var fields []member
	var code strings.Builder
	saved, savedIndent := g.code, g.indent
	g.code, g.indent = code, 1
	v := "x"
	if a.Multiple {
		v = g.loopVar()
	} else {
		g.depth++
		v = fmt.Sprintf("v%d", g.depth)
	}
	inner := owner{prefix: v + ".", members: &fields, block: typ}
	for _, sub := range a.Args {
		g.arg(sub, path, inner, !sub.Optional)
	}
	body := g.code.String()
	g.code, g.indent = saved, savedIndent
	g.depth--
	g.types.add(g, typ, fields)
	g.curPath = path // the members set it to theirs
	var x string
	if a.Multiple {
		x = g.add(ow, member{g.name(a, path, ow.prefix != ""), "[]" + typ, doc})
		if required {
			g.line("if len(%s) == 0 {", x)
			g.line("\tb.fail(%q)", "needs at least one "+a.Name)
			g.line("}")
		}
		if a.Token != "" && !a.MultipleToken {
			g.line("if len(%s) > 0 {", x)
			g.line("\tb.str(%q)", a.Token)
			g.line("}")
		}
		g.line("for i := range %s {", x)
		g.line("\t%s := &%s[i]", v, x)
		if a.MultipleToken {
			g.line("\tb.str(%q)", a.Token)
		}
	} else {
		x = g.add(ow, member{g.name(a, path, ow.prefix != ""), "*" + typ, doc})
		g.line("if %s := %s; %s != nil {", v, x, v)
		if a.Token != "" {
			g.line("\tb.str(%q)", a.Token)
		}
	}
	g.exprs[path] = x
	for _, l := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
		if l != "" {
			g.code.WriteString(strings.Repeat("\t", g.indent))
		}
		g.code.WriteString(l + "\n")
	}
	g.line("}")
}

// typeSet collects the block structs of all groups; a name used twice
// must mean the same fields. It also tracks options structs, which
// several commands may share.
type typeSet struct {
	defs map[string][]member
	docs map[string]string
	opts map[string][]member
}

// sameOpts reports whether the options struct name is new (and records
// it); a name seen before must have the same fields, and is not emitted
// again.
func (t *typeSet) sameOpts(g *command, name string, fields []member) bool {
	if old, ok := t.opts[name]; ok {
		if !slices.EqualFunc(old, fields, func(a, b member) bool { return a.name == b.name && a.typ == b.typ }) {
			g.fail("%s: options struct %s is shared with a command whose options differ", g.a.Cmd, name)
		}
		return false
	}
	t.opts[name] = fields
	return true
}

func newTypeSet() *typeSet {
	return &typeSet{defs: map[string][]member{}, docs: map[string]string{}, opts: map[string][]member{}}
}

func (t *typeSet) add(g *command, name string, fields []member) {
	if old, ok := t.defs[name]; ok {
		if !slices.EqualFunc(old, fields, func(a, b member) bool { return a.name == b.name && a.typ == b.typ }) {
			g.fail("%s: type %s is declared twice with different fields", g.a.Cmd, name)
		}
		return
	}
	t.defs[name] = fields
	t.docs[name] = g.c.Name
}

func (t *typeSet) file() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("package redis\n\n")
	names := make([]string, 0, len(t.defs))
	usesTime := false
	for n, fs := range t.defs {
		names = append(names, n)
		for _, f := range fs {
			if strings.Contains(f.typ, "time.") {
				usesTime = true
			}
		}
	}
	if usesTime {
		b.WriteString("import \"time\"\n\n")
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "// %s is an argument group of %s.\ntype %s struct {\n", n, t.docs[n], n)
		for _, f := range t.defs[n] {
			fmt.Fprintf(&b, "\t// %s %s.\n\t%s %s\n", f.name, f.doc, f.name, f.typ)
		}
		b.WriteString("}\n\n")
	}
	return format.Source(b.Bytes())
}

// fileWriter accumulates one group's file.
type fileWriter struct {
	group string
	vars  []string
	body  bytes.Buffer
	uses  map[string]bool
	seen  map[string]bool
}

func cmdVar(name string) string {
	return "cmd" + strings.NewReplacer(" ", "_", "-", "_", "|", "_").Replace(name)
}

// command writes one API entry: its append function (generated from the
// spec, or written by hand for Manual entries), its constructor, its
// method and its Pipeline method.
func (f *fileWriter) command(a *API, c *specCmd, types *typeSet) error {
	if f.uses == nil {
		f.uses, f.seen = map[string]bool{}, map[string]bool{}
	}
	if a.Method == "" {
		return fmt.Errorf("%s: no Method", a.Cmd)
	}
	if a.On == "none" {
		return nil
	}
	if !f.seen[c.Name] {
		f.seen[c.Name] = true
		f.vars = append(f.vars, fmt.Sprintf("%s = cmdInfo(%q)", cmdVar(c.Name), c.Name))
	}
	var sig signature
	if a.Manual {
		sig = f.manualSignature(a)
	} else {
		var err error
		if sig, err = f.appendFunc(a, c, types); err != nil {
			return err
		}
	}
	return f.wrappers(a, c, sig)
}

// signature is how the wrappers of one command call its append function.
type signature struct {
	callArgs   []string // the append function's arguments after b
	ctorParams []string // the wrappers' parameters, the last slice variadic
}

// manualSignature reads the parameters of a hand-written append function
// from the entry's Params.
func (f *fileWriter) manualSignature(a *API) signature {
	var sig signature
	params := splitParams(a.Params)
	for i, p := range params {
		name, typ, _ := strings.Cut(strings.TrimSpace(p), " ")
		sig.callArgs = append(sig.callArgs, name)
		typ = strings.TrimSpace(typ)
		if strings.HasPrefix(typ, "[]") && i == len(params)-1 {
			// The last slice parameter is variadic in the wrappers.
			sig.ctorParams = append(sig.ctorParams, name+" ..."+typ[2:])
		} else {
			sig.ctorParams = append(sig.ctorParams, name+" "+typ)
		}
		if strings.Contains(typ, "time.") {
			f.uses["time"] = true
		}
	}
	return sig
}

// optsTypeOf is the name of the entry's options struct.
func optsTypeOf(a *API) string {
	if a.Opts != "" {
		return a.Opts
	}
	return a.Method + "Options"
}

// appendFunc generates the append function of an entry from the spec's
// argument tree, and the options struct it takes.
func (f *fileWriter) appendFunc(a *API, c *specCmd, types *typeSet) (signature, error) {
	g := &command{a: a, c: c, uses: map[string]bool{}, types: types,
		exprs: map[string]string{}, kinds: map[string]string{}, used: map[string]bool{}}
	optsType := optsTypeOf(a)
	g.body(optsType)
	g.blockTime()
	g.checkOverrides()
	if len(g.errs) > 0 {
		return signature{}, fmt.Errorf("%s", strings.Join(g.errs, "\n"))
	}
	sig, params := g.signature(optsType)
	for k := range g.uses {
		f.uses[k] = true
	}
	// The options struct, once per name: commands may share one when
	// their optional arguments are the same.
	if len(g.opts) > 0 && types.sameOpts(g, optsType, g.opts) {
		fmt.Fprintf(&f.body, "// %s are the optional arguments of %s. The zero value sends none of them.\ntype %s struct {\n", optsType, c.Name, optsType)
		for _, m := range g.opts {
			fmt.Fprintf(&f.body, "\t// %s %s.\n\t%s %s\n", m.name, m.doc, m.name, m.typ)
		}
		f.body.WriteString("}\n\n")
	}
	if len(g.errs) > 0 {
		return signature{}, fmt.Errorf("%s", strings.Join(g.errs, "\n"))
	}
	fmt.Fprintf(&f.body, "func append%s(b *builder", a.Method)
	if params != "" {
		f.body.WriteString(", " + params)
	}
	f.body.WriteString(") {\n")
	f.body.WriteString(g.code.String())
	f.body.WriteString("}\n\n")
	return sig, nil
}

// body writes the statements of the append function into g.code: the
// arguments are walked first, since that finds the options, and the
// choice of options struct is then put before them.
func (g *command) body(optsType string) {
	g.line("b.begin(%s)", cmdVar(g.c.Name))
	start := g.code.Len()
	top := owner{members: &g.params}
	for _, arg := range g.c.Args {
		g.arg(arg, "", top, !arg.Optional)
	}
	args := g.code.String()[start:]
	g.code.Reset()
	g.line("b.begin(%s)", cmdVar(g.c.Name))
	if len(g.opts) > 0 {
		g.line("var o %s", optsType)
		g.line("switch len(opts) {")
		g.line("case 0:")
		g.line("case 1:")
		g.line("\to = opts[0]")
		g.line("default:")
		g.line("\tb.fail(\"at most one %s, got %%d\", len(opts))", optsType)
		g.line("}")
	}
	g.code.WriteString(args)
}

// blockTime adds the blockFor call of a blocking command, whose timeout
// argument the entry's Block names.
func (g *command) blockTime() {
	a, c := g.a, g.c
	if !slices.Contains(c.Flags, "BLOCKING") {
		return
	}
	if a.Block == "" {
		g.fail("%s is blocking: set Block to its timeout argument, or write it by hand", c.Name)
	} else if x, ok := g.exprs[a.Block]; !ok {
		g.fail("%s: Block %q is not an argument", c.Name, a.Block)
	} else if k := g.kinds[a.Block]; k != "fseconds" && k != "ms" && k != "seconds" {
		g.fail("%s: Block %q must be a duration kind, is %q", c.Name, a.Block, k)
	} else {
		g.line("b.blockFor(%s)", x)
	}
}

// checkOverrides fails on an entry's overrides (Fix, Omit, Require, Args,
// Docs, Names) that matched no argument: they are stale or misspelt.
func (g *command) checkOverrides() {
	a := g.a
	for _, list := range []struct {
		tag   string
		items []string
	}{{"fix", a.Fix}, {"omit", a.Omit}, {"require", a.Require}} {
		for _, p := range list.items {
			if !g.used[list.tag+":"+p] {
				g.fail("%s: %s %q matches no optional argument", a.Method, list.tag, p)
			}
		}
	}
	for _, m := range []struct {
		tag, what string
		keys      []string
	}{
		{"args", "Args %q matches no argument", mapKeys(a.Args)},
		{"docs", "Docs %q matches no parameter or field", mapKeys(a.Docs)},
		{"names", "Names %q matches no argument", mapKeys(a.Names)},
	} {
		for _, p := range m.keys {
			if !g.used[m.tag+":"+p] {
				g.fail("%s: "+m.what, a.Method, p)
			}
		}
	}
}

// mapKeys returns the keys of m.
func mapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// signature returns how the wrappers call the append function, and the
// append function's own parameter list (after b).
func (g *command) signature(optsType string) (signature, string) {
	var sig signature
	var ps []string
	for i, p := range g.params {
		sig.callArgs = append(sig.callArgs, p.name)
		ps = append(ps, p.name+" "+p.typ)
		if i == len(g.params)-1 && len(g.opts) == 0 && strings.HasPrefix(p.typ, "[]") {
			sig.ctorParams = append(sig.ctorParams, p.name+" ..."+p.typ[2:])
		} else {
			sig.ctorParams = append(sig.ctorParams, p.name+" "+p.typ)
		}
	}
	if len(g.opts) > 0 {
		ps = append(ps, "opts []"+optsType)
		sig.callArgs = append(sig.callArgs, "opts")
		sig.ctorParams = append(sig.ctorParams, "opts ..."+optsType)
	}
	return sig, strings.Join(ps, ", ")
}

// wrappers writes the constructor, the Client (or Conn) method and the
// Pipeline method of an entry, all calling its append function.
func (f *fileWriter) wrappers(a *API, c *specCmd, sig signature) error {
	dec, err := a.decoder()
	if err != nil {
		return err
	}
	result := a.Result
	ctorResult := result
	if result == "" {
		ctorResult = "struct{}"
	}
	if strings.Contains(result, "time.") {
		f.uses["time"] = true
	}
	syntax := syntaxLine(c)
	since := "Since Redis " + c.Since + "."
	call := strings.Join(append([]string{"b"}, sig.callArgs...), ", ")
	ctorParams := strings.Join(sig.ctorParams, ", ")
	// Constructor.
	fmt.Fprintf(&f.body, "%s", comment(fmt.Sprintf("%s returns the %s command (%s), to run with RunCommand or in a pipeline. %s", a.Method, c.Name, syntax, since)))
	fmt.Fprintf(&f.body, "func %s(%s) Command[%s] {\n\tb := new(builder)\n\tappend%s(%s)\n\treturn newCommand(b, %s)\n}\n\n",
		a.Method, ctorParams, ctorResult, a.Method, call, dec)
	// Method.
	recv, exec := "c *Client", "c.exec(ctx, b)"
	if a.On == "conn" {
		recv, exec = "cn *Conn", "cn.exec(ctx, b)"
	}
	doc := fmt.Sprintf("%s sends %s", a.Method, syntax)
	if result == "" {
		doc += "."
	} else {
		doc += " and returns " + a.returns() + "."
	}
	if a.Doc != "" {
		doc += "\n\n" + a.Doc
	}
	doc += "\n\n" + since
	fmt.Fprintf(&f.body, "%s", comment(doc))
	mparams := strings.Join(append([]string{"ctx context.Context"}, sig.ctorParams...), ", ")
	if result == "" {
		fmt.Fprintf(&f.body, "func (%s) %s(%s) error {\n\tb := getBuilder()\n\tappend%s(%s)\n\t_, err := %s(%s)\n\treturn err\n}\n\n",
			recv, a.Method, mparams, a.Method, call, dec, exec)
	} else {
		fmt.Fprintf(&f.body, "func (%s) %s(%s) (%s, error) {\n\tb := getBuilder()\n\tappend%s(%s)\n\treturn %s(%s)\n}\n\n",
			recv, a.Method, mparams, result, a.Method, call, dec, exec)
	}
	if a.On == "" {
		fmt.Fprintf(&f.body, "%s", comment(fmt.Sprintf("%s queues %s in the pipeline; its Reply holds what Client.%s returns. %s", a.Method, c.Name, a.Method, since)))
		fmt.Fprintf(&f.body, "func (p *Pipeline) %s(%s) *Reply[%s] {\n\tb := getBuilder()\n\tappend%s(%s)\n\treturn queue(p, b, %s)\n}\n\n",
			a.Method, ctorParams, ctorResult, a.Method, call, dec)
	}
	return nil
}

func splitParams(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func (f *fileWriter) finish() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("package redis\n\nimport (\n\t\"context\"\n")
	for _, p := range []string{"strings", "time"} {
		if f.uses[p] {
			fmt.Fprintf(&b, "\t%q\n", p)
		}
	}
	b.WriteString(")\n\n")
	if len(f.vars) > 0 {
		b.WriteString("var (\n")
		for _, v := range f.vars {
			b.WriteString("\t" + v + "\n")
		}
		b.WriteString(")\n\n")
	}
	b.Write(f.body.Bytes())
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%w\n%s", err, b.Bytes())
	}
	return src, nil
}

// comment formats text as a Go comment wrapped at 80 columns.
func comment(text string) string {
	var out strings.Builder
	for i, para := range strings.Split(text, "\n\n") {
		if i > 0 {
			out.WriteString("//\n")
		}
		line := "//"
		for _, w := range strings.Fields(para) {
			if len(line)+1+len(w) > 80 && line != "//" {
				out.WriteString(line + "\n")
				line = "//"
			}
			line += " " + w
		}
		out.WriteString(line + "\n")
	}
	return out.String()
}

// syntaxLine renders the command's arguments in the usual notation.
func syntaxLine(c *specCmd) string {
	parts := []string{c.Name}
	for _, a := range c.Args {
		parts = append(parts, syntaxArg(a))
	}
	return strings.Join(parts, " ")
}

func syntaxArg(a specArg) string {
	var s string
	switch a.Type {
	case "pure-token":
		s = a.Token
	case "oneof":
		var alts []string
		for _, x := range a.Args {
			alts = append(alts, syntaxArg(x))
		}
		s = strings.Join(alts, " | ")
		if !a.Optional {
			s = "<" + s + ">"
		}
		if a.Token != "" {
			s = a.Token + " " + s
		}
	case "block":
		var subs []string
		for _, x := range a.Args {
			subs = append(subs, syntaxArg(x))
		}
		s = strings.Join(subs, " ")
		if a.Token != "" {
			s = a.Token + " " + s
		}
	default:
		s = a.Name
		if a.Token != "" {
			s = a.Token + " " + s
		}
	}
	if a.Multiple {
		s = s + " [" + s + " ...]"
	}
	if a.Optional {
		s = "[" + s + "]"
	}
	return s
}

var initialisms = map[string]string{
	"id": "ID", "ttl": "TTL", "db": "DB", "ip": "IP", "nx": "NX", "xx": "XX", "gt": "GT", "lt": "LT",
	"url": "URL", "acl": "ACL", "lru": "LRU", "lfu": "LFU", "tls": "TLS", "json": "JSON", "sha1": "SHA1",
	"rdb": "RDB", "aof": "AOF", "ms": "MS", "fx": "FX", "fnx": "FNX", "fxx": "FXX", "ids": "IDs",
}

// camel turns "by-pattern" into ByPattern (exported) or byPattern.
func camel(name string, exported bool) string {
	words := strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' || r == ' ' })
	var b strings.Builder
	for i, w := range words {
		lw := strings.ToLower(w)
		if i == 0 && !exported {
			b.WriteString(lw)
			continue
		}
		if up, ok := initialisms[lw]; ok {
			b.WriteString(up)
			continue
		}
		b.WriteString(strings.ToUpper(lw[:1]) + lw[1:])
	}
	return b.String()
}

func isKeyword(s string) bool {
	switch s {
	case "break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough",
		"for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range",
		"return", "select", "struct", "switch", "type", "var", "len", "string", "any", "min", "max",
		"new", "make", "copy", "append", "delete", "error", "cap", "close", "clear", "time", "strings":
		return true
	}
	return false
}

// plural names a repeated argument: key → keys.
func plural(name string, multiple bool) string {
	if !multiple || strings.HasSuffix(name, "s") || strings.HasSuffix(name, "Data") || name == "data" {
		return name
	}
	return name + "s"
}
