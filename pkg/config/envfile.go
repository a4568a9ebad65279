package config

import (
	"bufio"
	"io"
	"regexp"
	"strings"
)

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ParseEnvFile reads a Docker/compose style env file: NAME=value lines, '#' comments, blank lines, an
// optional "export " prefix, and values optionally wrapped in matching single or double quotes. Every
// malformed line is reported (with its line number; the caller sets the file, see Problems.InFile) at
// once; the well-formed lines are still returned.
func ParseEnvFile(r io.Reader) (map[string]string, Problems) {
	env := map[string]string{}
	var ps Problems
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		name, value, ok := strings.Cut(line, "=")
		name = strings.TrimSpace(name)
		if !ok || !envNameRE.MatchString(name) {
			p := Errorf("", redactLine(line), "not a NAME=value line")
			p.Line = n
			ps = append(ps, p)
			continue
		}
		env[name] = unquote(strings.TrimSpace(value))
	}
	if err := sc.Err(); err != nil {
		ps = append(ps, Errorf("", "", "cannot read: %v", err))
	}
	return env, ps
}

// UnknownKeys warns about env-file names that look like settings but are not (typos, snake_case).
func UnknownKeys(env map[string]string) Problems {
	var ps Problems
	for k := range env {
		if _, ok := fieldByName[k]; ok {
			continue
		}
		if s := suggest(k); s != "" {
			ps = append(ps, Warnf(k, "", "unknown setting, ignored; did you mean %s?", s))
		}
	}
	return ps
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	if i := strings.Index(v, " #"); i >= 0 { // trailing comment after an unquoted value
		return strings.TrimSpace(v[:i])
	}
	return v
}

func redactLine(line string) string {
	if strings.Contains(strings.ToUpper(line), "TOKEN") {
		return "(not shown: may contain a token)"
	}
	return line
}
