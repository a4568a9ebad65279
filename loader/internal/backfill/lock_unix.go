//go:build unix

package backfill

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on f without waiting: two loaders sharing one state
// file would each send what the other already sent. The kernel drops the lock when the process
// dies, kill -9 included.
func lockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}
