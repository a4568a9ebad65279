package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
)

// maxTokenFileSize bounds what is read of a token file: a Matomo token is 32 characters, and a
// path pointing at something endless (/dev/zero) must not exhaust the loader's memory.
const maxTokenFileSize = 4096

// ReadTokenFiles reads MATOMO_TOKEN_AUTH_FILE and every target's token_auth_file into the tokens
// they stand for and clears them, so that the config is as if the tokens had been given directly.
// White space around a token (the newline an editor or echo adds) is dropped. A file that cannot
// be used is reported, naming the setting and the path but never the content, and is left in
// place, so Validate does not also complain that the token is missing. Every problem is reported
// at once.
//
// Only the loader calls this: a control that decoded a user's config must never read the files it
// names. The control passes tokens to its loaders this way, so that `docker inspect` shows none.
func (c *Config) ReadTokenFiles() Problems {
	var ps Problems
	if c.TokenAuthFile != "" {
		if tok, p, ok := readTokenFile("MATOMO_TOKEN_AUTH_FILE", c.TokenAuthFile, c.TokenAuth != ""); ok {
			c.TokenAuth, c.TokenAuthFile = tok, ""
		} else {
			ps = append(ps, p)
		}
	}
	if len(c.Targets) > 0 {
		c.Targets = append([]Target(nil), c.Targets...) // the caller's slice stays as it was
	}
	for i := range c.Targets {
		t := &c.Targets[i]
		if t.TokenFile == "" {
			continue
		}
		field := fmt.Sprintf("MATOMO_TARGETS[%d].token_auth_file", i)
		if tok, p, ok := readTokenFile(field, t.TokenFile, t.Token != ""); ok {
			t.Token, t.TokenFile = tok, ""
		} else {
			ps = append(ps, p)
		}
	}
	return ps
}

// readTokenFile reads one token file for setting field; alsoToken says the token was given too.
func readTokenFile(field, path string, alsoToken bool) (string, Problem, bool) {
	if alsoToken {
		return "", Errorf(field, path, "give the token or a file holding it, not both"), false
	}
	f, err := os.Open(path)
	if err != nil {
		return "", Errorf(field, path, "cannot be read: %v", unwrapPathError(err)), false
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTokenFileSize+1))
	switch {
	case err != nil:
		return "", Errorf(field, path, "cannot be read: %v", unwrapPathError(err)), false
	case len(b) > maxTokenFileSize:
		return "", Errorf(field, path, "holds more than %d bytes; it must hold the token alone", maxTokenFileSize), false
	}
	tok := strings.TrimSpace(string(b))
	switch {
	case tok == "":
		return "", Errorf(field, path, "is empty; it must hold the token"), false
	case strings.IndexFunc(tok, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return "", Errorf(field, path, "must hold the token alone, on one line without spaces"), false
	}
	return tok, Problem{}, true
}

// unwrapPathError drops the operation and path of an *os.PathError: the problem names the path.
func unwrapPathError(err error) error {
	if pe, ok := errors.AsType[*os.PathError](err); ok {
		return pe.Err
	}
	return err
}

// checkTokenFiles reports a token given both directly and as a file.
func (c *Config) checkTokenFiles() Problems {
	var ps Problems
	if c.TokenAuthFile != "" && c.TokenAuth != "" {
		ps = append(ps, Errorf("MATOMO_TOKEN_AUTH_FILE", c.TokenAuthFile, "give MATOMO_TOKEN_AUTH or a file holding it, not both"))
	}
	for i, t := range c.Targets {
		if t.TokenFile != "" && t.Token != "" {
			ps = append(ps, Errorf(fmt.Sprintf("MATOMO_TARGETS[%d].token_auth_file", i), t.TokenFile, "give token_auth or a file holding it, not both"))
		}
	}
	return ps
}
