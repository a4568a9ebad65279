// Command gendocs prints docs/configuration.md, generated from the schema in pkg/config.
package main

import (
	"fmt"

	"github.com/trafficinator/trafficinator/pkg/config"
)

func main() { fmt.Print(config.Markdown()) }
