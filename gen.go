package redis

//go:generate go run ./internal/gen/methods
