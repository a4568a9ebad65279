// Command fakeloader stands in for the real loader in the docker package's tests: a tiny static
// program whose observable behaviour (stdout JSON lines, a stderr line, a file it reads, its exit
// code, how it reacts to SIGTERM) is driven by environment variables, so a test can assert that
// the runtime passed env and files through and reports logs, exit codes and stops faithfully.
//
// Environment:
//
//	FAKE_GREETING  echoed back in the first stdout line
//	FAKE_FILE      comma-separated paths of files to read and print (copied into the container by
//	               the test, or mounted from Swarm secrets and configs)
//	FAKE_WRITE     comma-separated paths of files to create, each reported with its error, if any
//	               (where a hardened container may write)
//	FAKE_COUNTER   path of a counter file: its number (0 when missing) plus one is printed and
//	               written back, so a test sees whether a restarted program found its predecessor's
//	               file (a volume that outlives the container)
//	FAKE_FAIL_UNTIL exit 1 while the counter just written is below this number
//	FAKE_LINES     number of extra numbered stdout lines to print (default 0)
//	FAKE_EXIT      exit code to end with (default 0)
//	FAKE_WAIT      "true": after printing, run until SIGTERM, print "stopping" and exit 0
//	FAKE_MAX_WAIT  upper bound of FAKE_WAIT in seconds (default 120), so nothing runs forever
//	FAKE_DRAIN_MS  how long to "drain" after SIGTERM before exiting, like a loader finishing its
//	               in-flight requests; a stop whose timeout is shorter ends in SIGKILL (137)
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	// Register before printing anything, so a SIGTERM sent right after the first line is caught.
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)

	enc := json.NewEncoder(os.Stdout)
	_ = enc.Encode(map[string]string{"event": "hello", "greeting": os.Getenv("FAKE_GREETING")})
	fmt.Fprintln(os.Stderr, "fakeloader: this line goes to stderr")

	readFiles(enc, os.Getenv("FAKE_FILE"))
	for _, path := range strings.Split(os.Getenv("FAKE_WRITE"), ",") {
		if path == "" {
			continue
		}
		msg := "ok"
		if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
			msg = err.Error()
		}
		_ = enc.Encode(map[string]string{"event": "write", "path": path, "result": msg})
	}
	if path := os.Getenv("FAKE_COUNTER"); path != "" {
		n := count(enc, path)
		if until, _ := strconv.Atoi(os.Getenv("FAKE_FAIL_UNTIL")); n < until {
			os.Exit(1)
		}
	}
	lines, _ := strconv.Atoi(os.Getenv("FAKE_LINES"))
	for i := range lines {
		_ = enc.Encode(map[string]any{"event": "line", "seq": i})
	}

	if os.Getenv("FAKE_WAIT") == "true" {
		maxWait := 120
		if v, err := strconv.Atoi(os.Getenv("FAKE_MAX_WAIT")); err == nil && v > 0 {
			maxWait = v
		}
		_ = enc.Encode(map[string]string{"event": "waiting"})
		select {
		case <-term:
			fmt.Println("draining")
			drain, _ := strconv.Atoi(os.Getenv("FAKE_DRAIN_MS"))
			<-time.After(time.Duration(drain) * time.Millisecond)
			fmt.Println("stopping")
			os.Exit(0)
		case <-time.After(time.Duration(maxWait) * time.Second):
			fmt.Println("gave up waiting")
			os.Exit(2)
		}
	}
	code, _ := strconv.Atoi(os.Getenv("FAKE_EXIT"))
	os.Exit(code)
}

// readFiles prints the content of each file of a comma-separated list, or why it cannot be read.
func readFiles(enc *json.Encoder, list string) {
	for _, path := range strings.Split(list, ",") {
		if path == "" {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			_ = enc.Encode(map[string]string{"event": "file", "path": path, "error": err.Error()})
		} else {
			_ = enc.Encode(map[string]string{"event": "file", "path": path, "content": string(data)})
		}
	}
}

// count adds one to the number in the file at path, prints it and returns it (-1 when the file
// cannot be written).
func count(enc *json.Encoder, path string) int {
	data, _ := os.ReadFile(path)
	n, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	n++
	if err := os.WriteFile(path, []byte(strconv.Itoa(n)), 0o600); err != nil {
		_ = enc.Encode(map[string]string{"event": "counter", "error": err.Error()})
		return -1
	}
	_ = enc.Encode(map[string]any{"event": "counter", "value": n})
	return n
}
