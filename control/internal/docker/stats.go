package docker

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/docker/docker/api/types/container"
)

// Stats is one resource sample of a container, for the dashboard.
type Stats struct {
	// CPUPercent is CPU use over the engine's sampling interval (about a second), where 100 is one
	// full CPU, as in `docker stats`.
	CPUPercent float64
	// MemoryBytes is memory in use without the reclaimable page cache, as in `docker stats`.
	MemoryBytes uint64
	// MemoryLimitBytes is the container's memory limit (the host's memory when it has none).
	MemoryLimitBytes uint64
	// Time is when the engine took the sample.
	Time time.Time
}

// Stats takes one sample of a container's CPU and memory use. The engine needs two readings for
// a CPU figure, so the call takes about a second. A container that is not running yields zeros.
func (r *Runtime) Stats(ctx context.Context, id string) (Stats, error) {
	resp, err := r.api.ContainerStats(ctx, id, false)
	if err != nil {
		return Stats{}, fmt.Errorf("stats of container %s: %w", shortID(id), classify(err))
	}
	defer resp.Body.Close()
	var s container.StatsResponse
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return Stats{}, fmt.Errorf("stats of container %s: decode: %w", shortID(id), err)
	}
	return fromStats(s), nil
}

// fromStats applies the Docker CLI's formulas: CPU is the container's share of the host's CPU
// time between the two readings, scaled by the number of CPUs; memory is usage minus inactive
// page cache (cgroup v1 reports it as total_inactive_file, v2 as inactive_file).
func fromStats(s container.StatsResponse) Stats {
	out := Stats{MemoryLimitBytes: s.MemoryStats.Limit, Time: s.Read}
	cpuDelta := float64(s.CPUStats.CPUUsage.TotalUsage) - float64(s.PreCPUStats.CPUUsage.TotalUsage)
	systemDelta := float64(s.CPUStats.SystemUsage) - float64(s.PreCPUStats.SystemUsage)
	cpus := float64(s.CPUStats.OnlineCPUs)
	if cpus == 0 {
		cpus = float64(len(s.CPUStats.CPUUsage.PercpuUsage))
	}
	if cpuDelta > 0 && systemDelta > 0 {
		out.CPUPercent = cpuDelta / systemDelta * cpus * 100
	}
	out.MemoryBytes = s.MemoryStats.Usage
	cache, ok := s.MemoryStats.Stats["total_inactive_file"]
	if !ok {
		cache = s.MemoryStats.Stats["inactive_file"]
	}
	if cache < out.MemoryBytes {
		out.MemoryBytes -= cache
	}
	return out
}
