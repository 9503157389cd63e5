// Command msp-scrape reads one model server's metrics the way the Gateway API Inference Extension's endpoint
// picker does, and prints what the picker would then know about the server, as one JSON object.
//
// The picker's own code does the work: its config loader decodes the EndpointPickerConfig (strictly, as the
// picker does at start), its plugin factories build the data sources and extractors the config's dataLayer
// names, and each source's Poll and each extractor's Extract run once against the endpoint, as one tick of the
// picker's per-endpoint collector does. The endpoint carries the pod labels given with -label, from which the
// extractor picks its engine mapping. Exit status 1 when polling or extraction reported an error (the JSON object
// still says what was read), 2 when the config or the flags are wrong.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/types"

	configapi "sigs.k8s.io/gateway-api-inference-extension/apix/config/v1alpha1"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/datalayer"
	fwkdl "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/interface/datalayer"
	fwkplugin "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/interface/plugin"
	extractormetrics "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/plugins/datalayer/extractor/metrics"
	sourcemetrics "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/plugins/datalayer/source/metrics"
)

// The collector's timeout for one poll (pkg/epp/datalayer, defaultCollectionTimeout).
const pollTimeout = time.Second

// reading is what the picker knows about the endpoint after the tick: its fwkdl.Metrics, adapter sets sorted.
type reading struct {
	WaitingQueueSize    int       `json:"waitingQueueSize"`
	RunningRequestsSize int       `json:"runningRequestsSize"`
	KVCacheUsagePercent float64   `json:"kvCacheUsagePercent"`
	CacheBlockSize      int       `json:"cacheBlockSize"`
	CacheNumBlocks      int       `json:"cacheNumBlocks"`
	MaxActiveModels     int       `json:"maxActiveModels"`
	ActiveModels        []string  `json:"activeModels"`
	WaitingModels       []string  `json:"waitingModels"`
	Updated             bool      `json:"updated"`
	Errors              []string  `json:"errors"`
	UpdateTime          time.Time `json:"updateTime"`
}

type labels map[string]string

func (l labels) String() string { return fmt.Sprint(map[string]string(l)) }

func (l labels) Set(v string) error {
	key, value, ok := strings.Cut(v, "=")
	if !ok {
		return fmt.Errorf("want key=value, got %q", v)
	}
	l[key] = value
	return nil
}

func main() {
	configPath := flag.String("config", "", "EndpointPickerConfig file (YAML)")
	endpoint := flag.String("endpoint", "", "the model server's metrics host:port")
	podLabels := labels{}
	flag.Var(podLabels, "label", "a label of the endpoint's pod, key=value (repeatable)")
	flag.Parse()
	if *configPath == "" || *endpoint == "" {
		fail("usage: msp-scrape -config FILE -endpoint HOST:PORT [-label key=value]...")
	}
	raw, err := os.ReadFile(*configPath)
	if err != nil {
		fail(err.Error())
	}
	sources, err := dataLayer(raw)
	if err != nil {
		fail(*configPath + ": " + err.Error())
	}
	host, port, _ := strings.Cut(*endpoint, ":")
	ep := fwkdl.NewEndpoint(&fwkdl.EndpointMetadata{
		NamespacedName: types.NamespacedName{Namespace: "default", Name: "model-server"},
		PodName:        "model-server",
		Address:        host,
		Port:           port,
		MetricsHost:    *endpoint,
		Labels:         podLabels,
	}, nil)

	var errs []string
	for _, src := range sources {
		poller, ok := src.Plugin.(fwkdl.PollingDataSource)
		if !ok {
			fail(fmt.Sprintf("data source %s does not poll", src.Plugin.TypedName()))
		}
		ctx, cancel := context.WithTimeout(context.Background(), pollTimeout)
		data, err := poller.Poll(ctx, ep)
		if err != nil {
			errs = append(errs, fmt.Sprintf("poll %s: %v", src.Plugin.TypedName(), err))
		} else if data != nil {
			for _, ext := range src.Extractors {
				if err := ext.Extract(ctx, data, ep); err != nil {
					errs = append(errs, fmt.Sprintf("extract %s: %v", ext.TypedName(), err))
				}
			}
		}
		cancel()
	}

	m := ep.GetMetrics()
	out := reading{
		WaitingQueueSize:    m.WaitingQueueSize,
		RunningRequestsSize: m.RunningRequestsSize,
		KVCacheUsagePercent: m.KVCacheUsagePercent,
		CacheBlockSize:      m.CacheBlockSize,
		CacheNumBlocks:      m.CacheNumBlocks,
		MaxActiveModels:     m.MaxActiveModels,
		ActiveModels:        keys(m.ActiveModels),
		WaitingModels:       keys(m.WaitingModels),
		Updated:             !m.UpdateTime.IsZero(),
		Errors:              append([]string{}, errs...),
		UpdateTime:          m.UpdateTime,
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail(err.Error())
	}
	if len(errs) > 0 {
		os.Exit(1)
	}
}

// dataLayer decodes the config into the picker's own API type, strictly (an unknown field is an error, as at the
// picker's start), and builds the data layer its dataLayer section names, each plugin from its own factory with
// its own parameters. The picker's config loader is not linked in: it would bring every scheduling plugin into
// the build, and none of them takes part in collecting metrics.
func dataLayer(raw []byte) ([]datalayer.DataSourceConfig, error) {
	fwkplugin.Register(sourcemetrics.MetricsDataSourceType, sourcemetrics.MetricsDataSourceFactory)
	fwkplugin.Register(extractormetrics.MetricsExtractorType, extractormetrics.CoreMetricsExtractorFactory)
	scheme := runtime.NewScheme()
	if err := configapi.Install(scheme); err != nil {
		return nil, err
	}
	cfg := &configapi.EndpointPickerConfig{}
	codecs := serializer.NewCodecFactory(scheme, serializer.EnableStrict)
	if err := runtime.DecodeInto(codecs.UniversalDecoder(), raw, cfg); err != nil {
		return nil, err
	}
	for _, gate := range cfg.FeatureGates {
		if gate == datalayer.EnableLegacyMetricsFeatureGate {
			return nil, fmt.Errorf("the %s feature gate selects the legacy metrics client, which this tool does "+
				"not run", gate)
		}
	}
	if cfg.DataLayer == nil || len(cfg.DataLayer.Sources) == 0 {
		return nil, fmt.Errorf("no dataLayer sources: the picker would collect no metrics")
	}
	handle := fwkplugin.NewEppHandle(context.Background(), nil)
	for _, spec := range cfg.Plugins {
		factory, ok := fwkplugin.Registry[spec.Type]
		if !ok {
			continue // a scheduling or other plugin: not part of metrics collection
		}
		name := spec.Name
		if name == "" {
			name = spec.Type
		}
		p, err := factory(name, spec.Parameters, handle)
		if err != nil {
			return nil, fmt.Errorf("plugin %s: %w", name, err)
		}
		handle.AddPlugin(name, p)
	}
	var sources []datalayer.DataSourceConfig
	for _, s := range cfg.DataLayer.Sources {
		src, ok := handle.Plugin(s.PluginRef).(fwkdl.DataSource)
		if !ok {
			return nil, fmt.Errorf("dataLayer source %q is no data source plugin of this config", s.PluginRef)
		}
		source := datalayer.DataSourceConfig{Plugin: src}
		for _, e := range s.Extractors {
			ext, ok := handle.Plugin(e.PluginRef).(fwkdl.Extractor)
			if !ok {
				return nil, fmt.Errorf("dataLayer extractor %q is no extractor plugin of this config", e.PluginRef)
			}
			source.Extractors = append(source.Extractors, ext)
		}
		sources = append(sources, source)
	}
	return sources, nil
}

func keys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "msp-scrape: "+msg)
	os.Exit(2)
}
