package cmdinfo

import "strings"

// Cacheable reports whether replies to the command may be kept in a
// client-side cache kept fresh by server-assisted invalidation (CLIENT
// TRACKING). The rule, applied to the specification's flags:
//
//   - it is read-only, and neither blocking, pub/sub nor admin;
//   - it has keys at positions the table knows (FirstKey > 0), and every
//     key spec reads (RO), so a change of any of those keys invalidates
//     the reply, and nothing else can change it;
//   - its output is deterministic (the NONDETERMINISTIC_OUTPUT tip is
//     absent; an order that may differ between runs is fine: any one is
//     a correct answer);
//   - its reply does not change with time alone, and it is a plain read:
//     the TTL family, OBJECT, idle-time reports (XPENDING, XINFO), memory
//     reports and TOUCH (sent for its side effect) are left out by name,
//     as the specification has no flag for them.
func (i *Info) Cacheable() bool {
	if i.Flags&Readonly == 0 || i.Flags&(Blocking|PubSub|Admin|Container|Write) != 0 {
		return false
	}
	if i.FirstKey <= 0 || len(i.Keys) == 0 || i.Nondeterministic == NondeterministicOutput {
		return false
	}
	for _, k := range i.Keys {
		if k.Flags&KeyRO == 0 || k.Flags&(KeyNotKey|KeyIncomplete|KeyVariableFlags) != 0 {
			return false
		}
	}
	return !notPlainRead(i.Name)
}

// notPlainRead names the read-only commands whose reply changes with the
// passing of time, without a write to their keys, or that are sent for a
// side effect.
func notPlainRead(name string) bool {
	switch name {
	case "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME",
		"HTTL", "HPTTL", "HEXPIRETIME", "HPEXPIRETIME",
		"XPENDING", "MEMORY USAGE", "TOUCH":
		return true
	}
	for _, prefix := range []string{"OBJECT ", "XINFO ", "JSON.DEBUG "} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}
