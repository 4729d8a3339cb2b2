import type { KubeClient } from './client.js';

export interface KubeEventSummary {
  type: string;
  reason: string;
  /** "Pod/sentiment-7c9f-abcde" */
  object: string;
  message: string;
  count: number;
  /** ISO time of the last occurrence. */
  lastSeen: string;
}

interface CoreEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  firstTimestamp?: string;
  metadata: { creationTimestamp?: string };
  involvedObject: { kind?: string; name?: string };
}

/** The namespace's events, newest last, optionally only those about objects whose name starts with a prefix
 *  (a Deployment's ReplicaSets and pods carry its name) or of one kind. */
export async function recentEvents(client: KubeClient, namespace: string,
  filter: { involvedPrefix?: string; kind?: string; limit?: number } = {}): Promise<KubeEventSummary[]> {
  const list = await client.request<{ items: CoreEvent[] }>('GET', `/api/v1/namespaces/${namespace}/events`);
  const events = list.items
    .filter((e) => !filter.involvedPrefix || (e.involvedObject.name ?? '').startsWith(filter.involvedPrefix))
    .filter((e) => !filter.kind || e.involvedObject.kind === filter.kind)
    .map((e) => ({
      type: e.type ?? 'Normal',
      reason: e.reason ?? '',
      object: `${e.involvedObject.kind ?? '?'}/${e.involvedObject.name ?? '?'}`,
      message: (e.message ?? '').trim(),
      count: e.count ?? 1,
      lastSeen: e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '',
    }))
    .sort((a, b) => a.lastSeen.localeCompare(b.lastSeen));
  return filter.limit ? events.slice(-filter.limit) : events;
}
