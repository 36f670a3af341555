module github.com/respkit/redis

go 1.26
