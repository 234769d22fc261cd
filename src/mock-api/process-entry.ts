/**
 * Child-process side of startStacApiProcess: starts the server (and, asked, the control listener),
 * answers metrics requests over IPC.
 */
import { type ControlListener, startControlListener } from './control.js';
import type { FromServer, ToServer } from './process.js';
import { type StacApi, startStacApi } from './server.js';

let api: StacApi | null = null;
let control: ControlListener | null = null;
const send = (msg: FromServer) => process.send?.(msg);

async function closeAll(): Promise<void> {
  await Promise.all([api?.close(), control?.close()]);
}

process.on('message', async (msg: ToServer) => {
  try {
    if (msg.type === 'start') {
      const { control: withControl, ...options } = msg.options;
      api = await startStacApi(options);
      if (withControl) control = await startControlListener();
      send({ type: 'ready', url: api.url, controlUrl: control?.url ?? null });
    } else if (msg.type === 'metrics' && api) {
      send({ type: 'metrics', id: msg.id, metrics: api.metrics() });
    } else if (msg.type === 'reset' && api) {
      api.resetMetrics();
      send({ type: 'reset', id: msg.id });
    } else if (msg.type === 'close') {
      await closeAll();
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
  void closeAll().finally(() => process.exit(0));
});
