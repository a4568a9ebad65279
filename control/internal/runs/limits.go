package runs

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// Limits are the resource limits of each loader container of a run; a zero field takes its
// default (DefaultLimits). The validate tags are the one statement of the bounds: the API checks
// requests with them, the service checks every start with them, and the OpenAPI document shows
// them.
type Limits struct {
	// MemoryMB is the memory limit in MiB; a loader that exceeds it is killed (out of memory).
	MemoryMB int `json:"memory_mb,omitempty" validate:"omitempty,min=32,max=65536" doc:"Memory limit of each loader container, in MiB. Absent: 1024."`
	// CPUs is the CPU limit, fractions allowed; the engine refuses more than the host has.
	CPUs float64 `json:"cpus,omitempty" validate:"omitempty,min=0.1,max=64" doc:"CPU limit of each loader container, in CPUs (fractions allowed; at most the host's CPUs). Absent: 1."`
	// PIDs bounds the processes and threads of a loader container.
	PIDs int `json:"pids,omitempty" validate:"omitempty,min=32,max=65536" doc:"Most processes and threads in each loader container. Absent: 256."`
}

// DefaultLimits are the limits of a run that sets none: enough for the heavy preset in one loader
// (a loader is one Go process; its memory grows with the visits in flight), and within any host.
var DefaultLimits = Limits{MemoryMB: 1024, CPUs: 1, PIDs: 256}

// withDefaults fills in the zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	if l.MemoryMB == 0 {
		l.MemoryMB = DefaultLimits.MemoryMB
	}
	if l.CPUs == 0 {
		l.CPUs = DefaultLimits.CPUs
	}
	if l.PIDs == 0 {
		l.PIDs = DefaultLimits.PIDs
	}
	return l
}

// apply sets the limits on a container spec.
func (l Limits) apply(spec *docker.Spec) {
	spec.Memory = int64(l.MemoryMB) << 20
	spec.NanoCPUs = int64(l.CPUs * 1e9)
	spec.PidsLimit = int64(l.PIDs)
}

// limitsValidator checks Limits against their validate tags, naming fields by their JSON names.
var limitsValidator = func() *validator.Validate {
	v := validator.New()
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		return name
	})
	return v
}()

// check reports every limit out of its bounds, as problems of the fields "limits.<name>".
func (l Limits) check() config.Problems {
	var ves validator.ValidationErrors
	if err := limitsValidator.Struct(l); !errors.As(err, &ves) {
		return nil
	}
	var ps config.Problems
	for _, fe := range ves {
		word := "at least"
		if fe.Tag() == "max" {
			word = "at most"
		}
		ps = append(ps, config.Errorf("limits."+fe.Field(), fmt.Sprint(fe.Value()), "must be %s %s", word, fe.Param()))
	}
	return ps
}

// storedLimits reads the limits a run was recorded with; zero when none were (older runs).
func storedLimits(raw json.RawMessage) Limits {
	var l Limits
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &l) // the service wrote it; a damaged value means "not recorded"
	}
	return l
}
