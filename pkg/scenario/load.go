package scenario

import (
	"fmt"
	"io"
	"os"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// Load reads, parses and compiles the scenario file at path against base (see Parse and Compile).
// A file that cannot be read is a problem of SCENARIO_FILE.
func Load(path string, base config.Config) (*Scenario, []Compiled, Problems) {
	data, err := readFile(path)
	if err != nil {
		return nil, nil, Problems{config.Errorf("SCENARIO_FILE", path, "cannot read the file: %v", err)}
	}
	sc, ps := Parse(data, path)
	if ps.Err() != nil {
		return nil, nil, ps
	}
	segs, cps := sc.Compile(base, path)
	ps = append(ps, cps...)
	if ps.Err() != nil {
		return nil, nil, ps
	}
	return sc, segs, ps
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("larger than %d KiB", MaxFileBytes>>10)
	}
	return data, nil
}
