//go:build tools

// Package tools pins the Kubernetes control plane and etcd that scripts/k8s-testbed builds:
// `go build k8s.io/kubernetes/cmd/kube-apiserver` and the rest resolve through this module's
// go.mod, whose replace directives point k8s.io/kubernetes' staging modules at their released
// k8s.io/* v0.x versions (the kubernetes module itself replaces them with local directories).
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
