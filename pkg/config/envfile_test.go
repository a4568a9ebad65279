package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestEnvFile(t *testing.T) {
	in := "# comment\n\nexport A=1\nB=\"two words\"\nC='x'\nD=plain # trailing\nnot a line\n=novalue\nMATOMO_TOKEN_AUTH abc\n"
	env, ps := ParseEnvFile(strings.NewReader(in))
	want := map[string]string{"A": "1", "B": "two words", "C": "x", "D": "plain"}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("env = %v, want %v", env, want)
	}
	if len(ps) != 3 {
		t.Fatalf("want 3 malformed lines reported, got %v", ps)
	}
	if ps[0].Line != 7 || ps[0].Field != "" || strings.Contains(ps.Error(), "abc") {
		t.Errorf("problems should name the line and hide token lines: %v", ps)
	}
	warn := UnknownKeys(map[string]string{"TARGET_VISIT_PER_DAY": "1", "PATH": "/bin"})
	if len(warn) != 1 || !strings.Contains(warn[0].Message, "TARGET_VISITS_PER_DAY") {
		t.Errorf("typo should be flagged with a suggestion: %v", warn)
	}
}
