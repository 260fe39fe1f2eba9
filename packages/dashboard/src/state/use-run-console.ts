import { useEffect, useState, useSyncExternalStore } from 'react';
import type { ApiClient } from '../api/api-client';
import { openRunEventStream } from '../api/run-event-stream';
import { openRunStatusStream } from '../api/run-status-stream';
import { RunConsoleStore } from './run-console-store';

/**
 * Opens a run's console state: the agent list from the API, then the event stream from the first
 * event (replayed from the store) on, reconnecting by itself. Closed when the component unmounts.
 */
export function useRunConsole(client: ApiClient, runId: string): RunConsoleStore {
  const [store] = useState(() => new RunConsoleStore());
  useEffect(() => {
    let cancelled = false;
    client.listAgents(runId).then(
      (agents) => {
        if (!cancelled) store.setAgents(agents);
      },
      // The list only adds names and tiers; the events carry everything else.
      () => undefined,
    );
    const stream = openRunEventStream({
      client,
      runId,
      afterSequence: store.state.lastSequence,
      onEvents: (events) => store.enqueue(events),
      onStatus: (status, detail) => store.setStreamStatus(status, detail),
      // Only an ended run is finished: after a restart the server resumes interrupted runs, so a
      // run that is not live for a moment will be again.
      isFinished: async () =>
        ['completed', 'stopped', 'failed'].includes((await client.getRun(runId)).status),
    });
    const readStatus = () =>
      client.getRun(runId).then(
        (run) => {
          if (!cancelled) store.setServerStatus(run.status);
        },
        () => undefined,
      );
    const statuses = openRunStatusStream({
      client,
      onConnected: readStatus,
      onChange: (change) => {
        if (change.runId === runId) store.setServerStatus(change.status);
      },
    });
    return () => {
      cancelled = true;
      stream.close();
      statuses.close();
    };
  }, [client, runId, store]);
  return store;
}

/** Re-renders the calling component once per applied batch of the store. */
export function useStoreVersion(store: RunConsoleStore): number {
  return useSyncExternalStore(store.subscribe, store.getVersion);
}
