//go:build !linux

package redistest

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"
)

// sysProcAttr returns nil: parent-death signals are Linux-only.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// pauseProcess is unsupported: SIGSTOP is not portable.
func pauseProcess(*os.Process) error {
	return fmt.Errorf("pausing a process: %w on %s", errors.ErrUnsupported, runtime.GOOS)
}

// resumeProcess does nothing, as no process can be paused.
func resumeProcess(*os.Process) error { return nil }
