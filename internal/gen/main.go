// Command gen maintains the command table of package internal/cmdinfo.
//
// It has two modes:
//
//	go run ./internal/gen -trim path/to/redis-commands.json
//
// reads the full Redis command specification (the merged src/commands/*.json
// of a Redis release) and writes internal/gen/commands.json, a facts-only copy
// that is kept in the repository: names, groups, arity, flags, key specs,
// command tips, argument trees and reply schemas, with all prose removed.
//
//	go run ./internal/gen
//
// (also run by "go generate ./internal/cmdinfo") reads internal/gen/commands.json
// and writes internal/cmdinfo/table_gen.go. A command flag, key spec flag or
// command tip that the generator does not know stops it (see table.go), so
// that a new one in a future Redis release gets a decision.
//
// Flags:
//
//	-trim PATH  trim mode: read the full specification at PATH
//	-spec PATH  input of the default mode (default <module root>/internal/gen/commands.json)
//	-out PATH   output file (default <module root>/internal/gen/commands.json with -trim,
//	            <module root>/internal/cmdinfo/table_gen.go otherwise)
//
// The module root is found by walking up from the working directory to the
// go.mod of github.com/respkit/redis, so the command works both from the
// repository root and from go:generate in internal/cmdinfo. Relative paths given
// on the command line are relative to the working directory.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

const (
	modulePath = "github.com/respkit/redis"

	// Paths relative to the module root.
	defaultSpec    = "internal/gen/commands.json"
	defaultModules = "internal/gen/modules.json"
	defaultTable   = "internal/cmdinfo/table_gen.go"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// run executes the generator with the given command-line arguments.
func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	trimPath := fs.String("trim", "", "trim mode: read the full Redis command `spec` and write the facts-only commands.json")
	modulesDir := fs.String("modules", "", "modules mode: read the module specifications and COMMAND INFO in `dir` and write modules.json")
	modulesPath := fs.String("modules-spec", "", "the modules.json the default mode also reads (default <module root>/"+defaultModules+")")
	specPath := fs.String("spec", "", "input commands.json for the default mode (default <module root>/"+defaultSpec+")")
	outPath := fs.String("out", "", "output `file` (default <module root>/"+defaultSpec+" with -trim, <module root>/"+defaultTable+" otherwise)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	// The module root is only needed for defaults; explicit paths work anywhere.
	rootPath := func(rel string) (string, error) {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		root, err := findModuleRoot(wd)
		if err != nil {
			return "", err
		}
		return filepath.Join(root, filepath.FromSlash(rel)), nil
	}

	var (
		in, out string
		build   func([]byte) ([]byte, error)
		err     error
	)
	if *modulesDir != "" {
		if *trimPath != "" || *specPath != "" || *modulesPath != "" {
			return errors.New("-modules is exclusive with -trim, -spec and -modules-spec")
		}
		out := *outPath
		if out == "" {
			if out, err = rootPath(defaultModules); err != nil {
				return err
			}
		}
		res, err := trimModules(*modulesDir)
		if err != nil {
			return fmt.Errorf("%s: %w", *modulesDir, err)
		}
		return writeFile(out, res)
	}
	if *trimPath != "" {
		if *specPath != "" || *modulesPath != "" {
			return errors.New("-spec and -modules-spec are exclusive with -trim: -trim names the input of trim mode")
		}
		in, build = *trimPath, trim
		out = *outPath
		if out == "" {
			if out, err = rootPath(defaultSpec); err != nil {
				return err
			}
		}
	} else {
		in = *specPath
		if in == "" {
			if in, err = rootPath(defaultSpec); err != nil {
				return err
			}
		}
		mods := *modulesPath
		if mods == "" {
			if mods, err = rootPath(defaultModules); err != nil {
				return err
			}
		}
		modSrc, err := os.ReadFile(mods)
		if err != nil {
			return err
		}
		build = func(src []byte) ([]byte, error) { return generate(src, modSrc) }
		out = *outPath
		if out == "" {
			if out, err = rootPath(defaultTable); err != nil {
				return err
			}
		}
	}

	src, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	res, err := build(src)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	return writeFile(out, res)
}

// writeFile replaces path with data through a temporary file in the same
// directory, so an interrupted run never leaves a truncated output behind.
func writeFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".gen-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// findModuleRoot walks up from dir to the directory holding the go.mod of
// modulePath.
func findModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			if p := goModPath(data); p != modulePath {
				return "", fmt.Errorf("%s: module %q, want %q", filepath.Join(d, "go.mod"), p, modulePath)
			}
			return d, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod found in %s or any parent directory", dir)
		}
		d = parent
	}
}

// goModPath returns the module path declared by a go.mod file.
func goModPath(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}
