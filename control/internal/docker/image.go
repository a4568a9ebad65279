package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/image"
)

// buildMessage is the part of the builder's JSON messages this package reads. (The SDK's
// jsonmessage package would pull in terminal-handling modules for three fields.)
type buildMessage struct {
	Stream      string `json:"stream"`
	ErrorDetail *struct {
		Message string `json:"message"`
	} `json:"errorDetail"`
	Error string `json:"error"`
}

// BuildImage builds an image tagged tag from the local directory contextDir, using the Dockerfile
// at the relative path dockerfile inside it ("" means "Dockerfile"). The whole directory is sent
// (there is no .dockerignore handling), so keep build contexts small: typically a temp dir with a
// static binary and a FROM-scratch Dockerfile, since no base image can be pulled here. The
// classic builder is used, which every engine supports without a BuildKit session. A failed build
// step is returned as an error carrying the builder's message.
func (r *Runtime) BuildImage(ctx context.Context, tag, contextDir, dockerfile string, labels map[string]string) error {
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	buildCtx, err := dirTar(contextDir)
	if err != nil {
		return fmt.Errorf("build image %s: %w", tag, err)
	}
	resp, err := r.api.ImageBuild(ctx, buildCtx, build.ImageBuildOptions{
		Tags:        []string{tag},
		Dockerfile:  filepath.ToSlash(dockerfile),
		Labels:      labels,
		Remove:      true,
		ForceRemove: true,
		Version:     build.BuilderV1,
	})
	if err != nil {
		return fmt.Errorf("build image %s: %w", tag, classify(err))
	}
	defer resp.Body.Close()
	if err := readBuildStream(resp.Body); err != nil {
		return fmt.Errorf("build image %s: %w", tag, err)
	}
	return nil
}

// readBuildStream reads the builder's JSON messages to the end (the build is not finished before
// that) and turns an error message into a Go error. The last output lines go into the error, as
// they usually say which step failed.
func readBuildStream(r io.Reader) error {
	dec := json.NewDecoder(r)
	var last []string
	for {
		var msg buildMessage
		err := dec.Decode(&msg)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read build output: %w", err)
		}
		if s := strings.TrimSpace(msg.Stream); s != "" {
			last = append(last, s)
			if len(last) > 3 {
				last = last[1:]
			}
		}
		switch {
		case msg.ErrorDetail != nil && msg.ErrorDetail.Message != "":
			return fmt.Errorf("builder: %s (after: %s)", msg.ErrorDetail.Message, strings.Join(last, " | "))
		case msg.Error != "":
			return fmt.Errorf("builder: %s (after: %s)", msg.Error, strings.Join(last, " | "))
		}
	}
}

// dirTar packs a directory into an in-memory tar with slash-separated relative names. Regular
// files, directories and symlinks are kept; other file types (sockets, devices) are skipped.
func dirTar(dir string) (*bytes.Buffer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil || rel == "." {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return addTarEntry(tw, path, filepath.ToSlash(rel), info)
	})
	if err != nil {
		return nil, fmt.Errorf("tar build context %s: %w", dir, err)
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("tar build context %s: %w", dir, err)
	}
	return &buf, nil
}

// addTarEntry writes one file system entry into the build context.
func addTarEntry(tw *tar.Writer, path, name string, info fs.FileInfo) error {
	var link string
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(path)
		if err != nil {
			return err
		}
		link = target
	case !info.Mode().IsRegular() && !info.IsDir():
		return nil
	}
	hdr, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return err
	}
	hdr.Name = name
	if info.IsDir() {
		hdr.Name += "/"
	}
	hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(tw, f)
	return err
}

// RemoveImage removes an image (forcefully, with untagged parents). An image that does not exist
// counts as removed, so cleanup code can call it unconditionally.
func (r *Runtime) RemoveImage(ctx context.Context, tag string) error {
	_, err := r.api.ImageRemove(ctx, tag, image.RemoveOptions{Force: true, PruneChildren: true})
	if err != nil && !errors.Is(classify(err), ErrNotFound) {
		return fmt.Errorf("remove image %s: %w", tag, classify(err))
	}
	return nil
}
