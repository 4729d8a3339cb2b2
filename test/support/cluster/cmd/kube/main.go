// Command kube hosts kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy and kubectl in
// one binary (hyperkube style) so the large Kubernetes dependency graph links once.
// The component is the first argument: `kube kube-apiserver --flags...`, `kube kubectl get pods`.
package main

import (
	"context"
	"fmt"
	"os"

	_ "time/tzdata" // CronJob time zones, as upstream's mains

	"github.com/spf13/cobra"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	kubectl "k8s.io/kubectl/pkg/cmd"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	proxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
)

func main() {
	commands := map[string]func() *cobra.Command{
		"kube-apiserver":          func() *cobra.Command { return apiserver.NewAPIServerCommand() },
		"kube-controller-manager": func() *cobra.Command { return controllermanager.NewControllerManagerCommand() },
		"kube-scheduler":          func() *cobra.Command { return scheduler.NewSchedulerCommand() },
		"kubelet":                 func() *cobra.Command { return kubelet.NewKubeletCommand(context.Background()) },
		// The real node's Services by ClusterIP (iptables mode).
		"kube-proxy": func() *cobra.Command { return proxy.NewProxyCommand() },
		// The real kubectl, for tests that check what it reads (YAML 1.1) and does.
		"kubectl": func() *cobra.Command { return kubectl.NewDefaultKubectlCommand() },
	}
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: kube kube-apiserver|kube-controller-manager|kube-scheduler|kubelet|kube-proxy|kubectl [flags]")
		os.Exit(2)
	}
	name := os.Args[1]
	// cobra (and kubectl's plugin lookup, at construction) read os.Args[1:]; drop the component name
	// first so arguments parse as upstream.
	os.Args = append([]string{name}, os.Args[2:]...)
	command := commands[name]()
	os.Exit(cli.Run(command))
}
