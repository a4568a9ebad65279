package docker

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/docker/docker/api/types/container"
)

// maxCopyOutBytes bounds what CopyOut reads into memory: checkpoint files are small, and a
// container must not be able to grow the control's memory by writing a huge file where one is
// expected.
const maxCopyOutBytes = 64 << 20

// copyFromEngine is the one SDK call CopyOut needs beyond engine. It is kept out of engine (and
// asserted at run time) so that adding it did not change the interface the package's existing
// fakes implement. *client.Client has it.
type copyFromEngine interface {
	CopyFromContainer(ctx context.Context, containerID, srcPath string) (io.ReadCloser, container.PathStat, error)
}

// CopyOut reads the regular files directly inside directory dir of a container (running or
// exited) whose base names match (nil matches every file), so that state a loader wrote (a
// backfill checkpoint) outlives the container's removal. Files come back with their absolute
// paths in the container, their permission bits and owners, ready to be copied into another container
// with Spec.Files. A container or directory that does not exist yields ErrNotFound; more than
// 64 MiB in total is an error.
//
// A slot of a Swarm service has no one container to copy out of (its tasks may run on any node);
// the error wraps ErrInvalidSpec. A swarm backfill keeps its state on volumes instead.
func (r *Runtime) CopyOut(ctx context.Context, id, dir string, match func(name string) bool) ([]File, error) {
	if IsServiceLoader(id) {
		return nil, fmt.Errorf("copy %s out of %s: %w: %w", dir, id, ErrInvalidSpec, errNotAlone)
	}
	api, ok := r.api.(copyFromEngine)
	if !ok {
		return nil, fmt.Errorf("copy %s out of container %s: the engine client cannot copy files out", dir, shortID(id))
	}
	if !path.IsAbs(dir) || path.Clean(dir) != dir || dir == "/" {
		return nil, fmt.Errorf("copy out of container %s: %w: directory %q must be absolute, clean and not /", shortID(id), ErrInvalidSpec, dir)
	}
	body, _, err := api.CopyFromContainer(ctx, id, dir)
	if err != nil {
		return nil, fmt.Errorf("copy %s out of container %s: %w", dir, shortID(id), classify(err))
	}
	defer body.Close()
	files, err := untarDir(body, dir, match)
	if err != nil {
		return nil, fmt.Errorf("copy %s out of container %s: %w", dir, shortID(id), err)
	}
	return files, nil
}

// untarDir reads the archive the engine sends for a directory: its entries are named
// "<base of dir>/<name>", the directory itself first. Only regular files directly inside dir
// are kept.
func untarDir(r io.Reader, dir string, match func(string) bool) ([]File, error) {
	tr := tar.NewReader(r)
	base := path.Base(dir)
	var (
		files []File
		total int64
	)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read archive: %w", err)
		}
		rel, ok := strings.CutPrefix(path.Clean(hdr.Name), base+"/")
		if !ok || hdr.Typeflag != tar.TypeReg || strings.Contains(rel, "/") || (match != nil && !match(rel)) {
			continue
		}
		total += hdr.Size
		if total > maxCopyOutBytes {
			return nil, fmt.Errorf("files exceed %d bytes", maxCopyOutBytes)
		}
		data, err := io.ReadAll(io.LimitReader(tr, hdr.Size))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", rel, err)
		}
		files = append(files, File{Path: path.Join(dir, rel), Mode: hdr.Mode & 0o7777, UID: hdr.Uid, GID: hdr.Gid, Data: data})
	}
}

// Ping reports whether the engine answers; any failure wraps ErrUnavailable, since a caller that
// asks cannot do anything with the engine either way.
func (r *Runtime) Ping(ctx context.Context) error {
	if _, err := r.api.Ping(ctx); err != nil {
		return fmt.Errorf("ping docker engine: %w: %w", ErrUnavailable, err)
	}
	return nil
}
