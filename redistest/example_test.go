package redistest_test

import (
	"bufio"
	"fmt"
	"io"
	"net"

	"github.com/respkit/redis/redistest"
)

// StartServer starts a server outside of a test; the caller stops it. In
// tests, prefer redistest.Start(t, cfg), which stops and removes the server
// when the test ends.
func ExampleStartServer() {
	srv, err := redistest.StartServer(redistest.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close() // stops the server if needed and removes its directory

	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	io.WriteString(conn, "*1\r\n$4\r\nPING\r\n")
	reply, _ := bufio.NewReader(conn).ReadString('\n')
	fmt.Printf("%q\n", reply)

	if err := srv.Stop(); err != nil {
		fmt.Println(err)
	}
	fmt.Println("running:", srv.Running())
	// Output:
	// "+PONG\r\n"
	// running: false
}
