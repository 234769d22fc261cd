/** Child-process side of startStacApiProcess: starts the server, answers metrics requests over IPC. */
import type { FromServer, ToServer } from './process.js';
import { type StacApi, startStacApi } from './server.js';

let api: StacApi | null = null;
const send = (msg: FromServer) => process.send?.(msg);

process.on('message', async (msg: ToServer) => {
  try {
    if (msg.type === 'start') {
      api = await startStacApi(msg.options);
      send({ type: 'ready', url: api.url });
    } else if (msg.type === 'metrics' && api) {
      send({ type: 'metrics', id: msg.id, metrics: api.metrics() });
    } else if (msg.type === 'reset' && api) {
      api.resetMetrics();
      send({ type: 'reset', id: msg.id });
    } else if (msg.type === 'close') {
      await api?.close();
      process.disconnect?.();
      process.exit(0);
    }
  } catch (e) {
    send({ type: 'failed', message: (e as Error).message });
    process.exit(1);
  }
});
// The parent went away: do not linger.
process.on('disconnect', () => {
  void api?.close().finally(() => process.exit(0));
});
