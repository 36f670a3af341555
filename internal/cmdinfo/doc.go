// Package cmdinfo is the client's table of Redis commands: for each command
// and subcommand of the Redis 8.8 specification it records the group, the
// version that added it, the arity, the flags that matter for routing and
// retrying (read-only, write, blocking, pub/sub, connection state, ...),
// where its keys are in the argument vector (the spec's key specs, which
// Info.KeyIndexes applies to an argv as the server does), and its Redis
// Cluster routing tips (request and response policies, nondeterminism).
//
// For commands the table lacks (module commands, commands of a newer
// server), ParseCommandInfo builds the same Info from a server's COMMAND
// INFO reply. It takes any reply type with the methods of Reply, such as
// resp.Value: the package imports nothing of the library.
//
// The table (table_gen.go) is generated from internal/gen/commands.json, a
// facts-only copy of the Redis command specification kept in this repository.
// To regenerate the table after editing commands.json or the generator:
//
//	go generate ./internal/cmdinfo
//
// To refresh commands.json from a new specification (the merged
// src/commands/*.json of a Redis release, keyed by command name), then
// regenerate the table:
//
//	go run ./internal/gen -trim path/to/redis-commands.json
//	go generate ./internal/cmdinfo
//
// Both steps are deterministic; the tests of internal/gen check that the
// committed files are what the generator produces.
//
// The list of commands that change connection state (ConnState) is kept by
// hand in internal/gen/table.go.
package cmdinfo

//go:generate go run ../gen
