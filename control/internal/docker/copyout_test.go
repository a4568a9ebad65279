package docker

import (
	"archive/tar"
	"bytes"
	"strings"
	"testing"
)

func TestUntarDir(t *testing.T) {
	// The engine's archive of /data: the directory first, then its entries, nested ones included.
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(name string, typ byte, data string) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: typ, Mode: 0o640, Size: int64(len(data))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	add("data/", tar.TypeDir, "")
	add("data/backfill-state.json", tar.TypeReg, `{"v":1}`)
	add("data/backfill-state.json.journal", tar.TypeReg, "j\n")
	add("data/funnels.json", tar.TypeReg, "[]")
	add("data/sub/", tar.TypeDir, "")
	add("data/sub/backfill-nested", tar.TypeReg, "no")
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	files, err := untarDir(&buf, "/data", func(name string) bool { return strings.HasPrefix(name, "backfill") })
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Path+"="+string(f.Data))
		if f.Mode != 0o640 {
			t.Errorf("%s: mode %o, want 640", f.Path, f.Mode)
		}
	}
	want := []string{`/data/backfill-state.json={"v":1}`, "/data/backfill-state.json.journal=j\n"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("files = %q, want %q (only matching regular files directly in the directory)", got, want)
	}
}
