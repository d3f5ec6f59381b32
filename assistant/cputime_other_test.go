//go:build !linux

package assistant

import "time"

// threadCPU is unavailable here: BenchmarkParse reports wall time only.
func threadCPU() (time.Duration, bool) { return 0, false }
