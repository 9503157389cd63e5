//go:build tools

// Package tools pins Knative Serving's commands so that go.sum covers them: build.sh builds them from here with
// `go build knative.dev/serving/cmd/...`.
package tools

import (
	_ "knative.dev/serving/cmd/activator"
	_ "knative.dev/serving/cmd/autoscaler"
	_ "knative.dev/serving/cmd/controller"
	_ "knative.dev/serving/cmd/queue"
	_ "knative.dev/serving/cmd/webhook"
)
