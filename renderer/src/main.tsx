import './zod-config';
import { StrictMode } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { App, TokenPrompt } from './App';
import { initI18n } from './i18n';
import { useStore } from './store';
import { drawAfter } from './ui/charts';
import { ElectronMemberTransport, ElectronTransport } from './transport/electron';
import type { Transport } from './transport/types';
import { takeToken, WebTransport } from './transport/web';
import './styles.css';
import { API_PREFIX } from '../../shared/wire/agent';
import { memberApiBase } from '../../shared/wire/fleet';

initI18n();

/** ?server=NAME: that fleet member's console, relayed by this agent or by the desktop app's main process (the Fleet view opens it). */
const member = new URLSearchParams(window.location.search).get('server');

function pickTransport(): Transport | null {
  if (window.streamcap) return member ? new ElectronMemberTransport(window.streamcap, member) : new ElectronTransport(window.streamcap);
  const token = takeToken();
  return token ? new WebTransport(token, member ? memberApiBase(member) : API_PREFIX) : null;
}

const root = createRoot(document.getElementById('root')!);
const transport = pickTransport();
if (!transport) {
  root.render(<TokenPrompt />);
} else {
  useStore.setState({ transport, member });
  const { apply, setHistory } = useStore.getState();
  // Events can come in bursts (history + samples on reconnect): apply them once per frame.
  let queue: Parameters<typeof apply>[0][] = [];
  let scheduled = false;
  let measures = 0;
  const flush = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    // One synchronous render for the whole batch; the measure spans the store update and
    // React's render and commit of every live chart (bench/ui.bench.ts reads it).
    const start = performance.now();
    // The live charts' canvases are drawn in this frame, after the commit.
    drawAfter(() =>
      flushSync(() => {
        for (const e of batch) apply(e);
      }),
    );
    if (batch.some((e) => e.type === 'sample')) {
      performance.measure('streamcap:update', { start, end: performance.now() });
      // Counted here: asking the timeline for its entries every update cost more than the measure.
      if (++measures > 2000) {
        performance.clearMeasures('streamcap:update');
        measures = 0;
      }
    }
  };
  transport.subscribe(
    (e) => {
      queue.push(e);
      if (!scheduled) {
        scheduled = true;
        // rAF stops in a hidden tab: fall back to a timer so events never pile up.
        if (document.hidden) setTimeout(flush, 250);
        else requestAnimationFrame(flush);
      }
    },
    (connection) => {
      useStore.setState({ connection });
      if (connection === 'open') {
        void transport.invoke('host.info', {}).then((host) => useStore.setState({ host }));
        void transport.invoke('metrics.history', {}).then(setHistory);
        void transport.invoke('profiles.list', {}).then((profiles) => useStore.setState({ profiles }));
        void transport.invoke('fleet.list', {}).then(
          (fleet) => useStore.setState({ fleet }),
          () => undefined,
        );
      }
    },
  );
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
