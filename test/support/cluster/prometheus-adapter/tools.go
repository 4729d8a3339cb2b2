//go:build tools

// Package tools pins prometheus-adapter's main package, so that `go mod tidy` keeps its whole dependency graph
// in this module's go.sum and build.sh can build it with `go build` (the proxy answers 403 to the version
// list `go install pkg@version` asks for).
package tools

import _ "sigs.k8s.io/prometheus-adapter/cmd/adapter"
