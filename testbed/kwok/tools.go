//go:build tools

// Package tools pins KWOK, which scripts/k8s-testbed builds to run fake nodes: it schedules
// nothing itself, it plays the kubelet for the pods the real scheduler puts on its nodes.
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
