//go:build tools

// Package tools pins kube-state-metrics, which scripts/k8s-testbed builds so that
// kube_pod_status_ready and the other object metrics answer from the test bed's real objects.
package tools

import _ "k8s.io/kube-state-metrics/v2"
