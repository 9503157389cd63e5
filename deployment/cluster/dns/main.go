// Command coredns is the cluster's DNS: CoreDNS with only the plugins a cluster needs (its Service and pod names
// from the API server, nothing forwarded anywhere), built from the Go module proxy. Its own module, not a part of
// ../kube: every CoreDNS release that builds against client-go 0.34 asks for newer golang.org/x and gRPC modules
// than Kubernetes 1.34 does, which would rebuild all of Kubernetes with them.
//
//	coredns -conf Corefile
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

func main() {
	// Only the plugins imported above are built in; a Corefile lists them in this order (CoreDNS's own).
	dnsserver.Directives = []string{"bind", "ready", "errors", "log", "kubernetes"}
	coremain.Run()
}
