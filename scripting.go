package redis

import (
	"fmt"
	"time"

	"github.com/respkit/redis/internal/cmdinfo"
	"github.com/respkit/redis/resp"
)

// appendScriptCall encodes EVAL and its relatives: the script (or digest,
// or function name), the number of keys, the keys, then the arguments.
func appendScriptCall(b *builder, info *cmdinfo.Info, script string, keys []string, args []any) {
	b.begin(info)
	b.str(script)
	b.int(int64(len(keys)))
	for _, k := range keys {
		b.key(k)
	}
	for _, a := range args {
		b.arg(a)
	}
}

func appendEval(b *builder, script string, keys []string, args []any) {
	appendScriptCall(b, cmdEVAL, script, keys, args)
}

func appendEvalRO(b *builder, script string, keys []string, args []any) {
	appendScriptCall(b, cmdEVAL_RO, script, keys, args)
}

func appendEvalSHA(b *builder, sha1 string, keys []string, args []any) {
	appendScriptCall(b, cmdEVALSHA, sha1, keys, args)
}

func appendEvalSHARO(b *builder, sha1 string, keys []string, args []any) {
	appendScriptCall(b, cmdEVALSHA_RO, sha1, keys, args)
}

func appendFCall(b *builder, function string, keys []string, args []any) {
	appendScriptCall(b, cmdFCALL, function, keys, args)
}

func appendFCallRO(b *builder, function string, keys []string, args []any) {
	appendScriptCall(b, cmdFCALL_RO, function, keys, args)
}

// asScriptResult hands a script's reply over as a Result, whatever its
// type; only a failure (or the script's error reply) is an error. A nil
// returned by the script is a Result whose Err is ErrNil.
func asScriptResult(v resp.Value, err error) (Result, error) {
	if err == nil && v.IsError() {
		err = v.Err()
	}
	if err != nil {
		return Result{err: err}, err
	}
	return Result{val: v}, nil
}

func appendScriptDebug(b *builder, mode string) {
	b.begin(cmdSCRIPT_DEBUG)
	// YES and SYNC make the next EVAL on the connection start a debugging
	// session: never on a shared connection.
	b.c.flags |= scriptDebugFlags(mode)
	b.choice(mode, "mode", "YES", "SYNC", "NO")
}

// Library is a library of functions, as FUNCTION LIST reports it.
type Library struct {
	Name      string     // library_name
	Engine    string     // engine, such as "LUA"
	Functions []Function // the functions the library registers
	Code      string     // library_code: the source, only with FunctionListOptions.WithCode
}

// Function is a function of a library.
type Function struct {
	Name        string   // the name FCALL calls it by
	Description string   // its description, "" when none was given
	Flags       []string // its flags, such as "no-writes", "allow-oom", "allow-stale"
}

func asLibraries(v resp.Value, err error) ([]Library, error) {
	return asListOf(v, err, asLibrary)
}

func asLibrary(v resp.Value, err error) (Library, error) {
	m, err := asMap(v, err)
	if err != nil {
		return Library{}, err
	}
	lib := Library{Name: m["library_name"].String(), Engine: m["engine"].String()}
	if c, ok := m["library_code"]; ok && !c.IsNull() {
		lib.Code = c.String()
	}
	lib.Functions, err = asListOf(m["functions"], nil, asFunction)
	if err != nil {
		return lib, fmt.Errorf("redis: library %s: %w", lib.Name, err)
	}
	return lib, nil
}

func asFunction(v resp.Value, err error) (Function, error) {
	m, err := asMap(v, err)
	if err != nil {
		return Function{}, err
	}
	f := Function{Name: m["name"].String()}
	if d := m["description"]; !d.IsNull() {
		f.Description = d.String()
	}
	if f.Flags, err = asStrings(m["flags"], nil); err != nil {
		return f, fmt.Errorf("redis: flags of function %s: %w", f.Name, err)
	}
	return f, nil
}

// FunctionStatsInfo is the reply to FUNCTION STATS.
type FunctionStatsInfo struct {
	// Running is the function running now, nil when none is.
	Running *RunningFunction
	// Engines maps each engine's name ("LUA") to what it holds.
	Engines map[string]EngineStats
}

// RunningFunction is a function call in progress.
type RunningFunction struct {
	Name     string        // the function's name
	Command  []string      // the command that called it, with its arguments
	Duration time.Duration // how long it has run (millisecond resolution)
}

// EngineStats counts what one function engine holds.
type EngineStats struct {
	Libraries int64 // libraries_count
	Functions int64 // functions_count
}

func asFunctionStats(v resp.Value, err error) (FunctionStatsInfo, error) {
	m, err := asMap(v, err)
	if err != nil {
		return FunctionStatsInfo{}, err
	}
	var st FunctionStatsInfo
	if r, ok := m["running_script"]; ok && !r.IsNull() {
		rm, err := asMap(r, nil)
		if err != nil {
			return st, fmt.Errorf("redis: FUNCTION STATS running_script: %w", err)
		}
		run := &RunningFunction{Name: rm["name"].String()}
		if run.Command, err = asStrings(rm["command"], nil); err != nil {
			return st, fmt.Errorf("redis: FUNCTION STATS command: %w", err)
		}
		ms, err := asInt64(rm["duration_ms"], nil)
		if err != nil {
			return st, fmt.Errorf("redis: FUNCTION STATS duration_ms: %w", err)
		}
		run.Duration = time.Duration(ms) * time.Millisecond
		st.Running = run
	}
	engines, err := asMap(m["engines"], nil)
	if err != nil {
		return st, fmt.Errorf("redis: FUNCTION STATS engines: %w", err)
	}
	st.Engines = make(map[string]EngineStats, len(engines))
	for name, e := range engines {
		em, err := asMap(e, nil)
		if err != nil {
			return st, fmt.Errorf("redis: FUNCTION STATS engine %s: %w", name, err)
		}
		var es EngineStats
		if es.Libraries, err = asInt64(em["libraries_count"], nil); err != nil {
			return st, fmt.Errorf("redis: FUNCTION STATS engine %s: %w", name, err)
		}
		if es.Functions, err = asInt64(em["functions_count"], nil); err != nil {
			return st, fmt.Errorf("redis: FUNCTION STATS engine %s: %w", name, err)
		}
		st.Engines[name] = es
	}
	return st, nil
}
