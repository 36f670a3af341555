//go:build linux

package redistest

import "syscall"

// sysProcAttr makes the kernel SIGKILL the server when the thread that
// started it (and normally the whole test binary) dies, so servers do not
// outlive a crashed test.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
