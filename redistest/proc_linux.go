//go:build linux

package redistest

import (
	"os"
	"syscall"
)

// sysProcAttr makes the kernel SIGKILL the server when the thread that
// started it (and normally the whole test binary) dies, so servers do not
// outlive a crashed test.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// pauseProcess sends SIGSTOP to p.
func pauseProcess(p *os.Process) error { return p.Signal(syscall.SIGSTOP) }

// resumeProcess sends SIGCONT to p.
func resumeProcess(p *os.Process) error { return p.Signal(syscall.SIGCONT) }
