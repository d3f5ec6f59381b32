//go:build !linux

package realtime

// threadCPU is not measured here (see threadcpu_linux_test.go).
func threadCPU() int64 { return 0 }
