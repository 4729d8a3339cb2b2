/**
 * How a Pods metric reaches the HPA controller through Prometheus and prometheus-adapter (or KEDA's
 * Prometheus scaler), as the simulator's scrape model takes it. The adapter queries Prometheus when the
 * controller asks, so the controller reads each pod's latest scrape: a gauge's value at that scrape, or a
 * counter's rate over the rate window ending at it. Prometheus scrapes each target at a phase of its own. A new pod has a value once it has been scraped (a rate
 * needs two scrapes). The adapter's relist only decides whether the metric name is known, once. Pure.
 */
import { RATE_WINDOW } from '../spec/metric-registry.js';
import { parseDurationMs } from '../units.js';
import { METRICS_SERVER_SCRAPE_MS, type ScalingSignal, type SimulationConfig } from './simulator.js';

/** A cluster Prometheus' scrape interval when nothing says otherwise: kube-prometheus-stack's default. */
export const PROMETHEUS_SCRAPE_MS = 30_000;

/**
 * How long after a pod is created Prometheus can first scrape it, on average: its service discovery sees the
 * pod once it has an address and hands new targets to the scrapers in batches, every 5 s. On the test node
 * (pods-fidelity.test.ts, 15 new pods) the delay fell anywhere from under 1 s to over 4 s.
 */
export const PROMETHEUS_DISCOVERY_MS = 2500;

export interface PrometheusPodsMetric {
  /** A gauge (requests in flight, queue length) or a counter read as a rate (requests per second). */
  kind: 'gauge' | 'counter';
  scrapeIntervalMs: number;
  /** The counter's rate window (the metric registry's RATE_WINDOW). */
  rateWindowMs: number;
}

export function prometheusPodsMetric(m: PrometheusPodsMetric): Pick<SimulationConfig, 'metricWindowMs' | 'metricScrape'> {
  return m.kind === 'gauge'
    // The value at the scrape: one simulator step wide.
    ? { metricWindowMs: 0, metricScrape: { intervalMs: m.scrapeIntervalMs, scrapesToFirstSample: 1, discoveryDelayMs: PROMETHEUS_DISCOVERY_MS, spreadTargets: true } }
    : { metricWindowMs: m.rateWindowMs, metricScrape: { intervalMs: m.scrapeIntervalMs, scrapesToFirstSample: 2, discoveryDelayMs: PROMETHEUS_DISCOVERY_MS, spreadTargets: true } };
}

/**
 * What a cluster's HPA reads, as the simulator models it by default: CPU through metrics-server's scrapes;
 * in-flight requests (a gauge) and requests per second (a counter's rate over the registry's window) through
 * Prometheus at `scrapeIntervalMs`. The metric registry's series are gauges for concurrency and counters for rps.
 */
export function clusterMetricPipeline(signal: ScalingSignal, scrapeIntervalMs = PROMETHEUS_SCRAPE_MS): Pick<SimulationConfig, 'metricWindowMs' | 'metricScrape'> {
  if (signal === 'cpu') return { metricScrape: { intervalMs: METRICS_SERVER_SCRAPE_MS } };
  return prometheusPodsMetric({ kind: signal === 'rps' ? 'counter' : 'gauge', scrapeIntervalMs, rateWindowMs: parseDurationMs(RATE_WINDOW) });
}
