package realtime

import "syscall"

// threadCPU returns the CPU time the calling thread has used, in ns
// (RUSAGE_THREAD); the caller locks its goroutine to the thread. A
// benchmark that runs on one goroutine reports it per op: on a shared
// machine it moves far less with the load than the time per op does.
func threadCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
