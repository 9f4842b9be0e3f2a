// Figures that change with every sample, written straight into their DOM nodes: zustand's
// "transient updates" (its README's pattern for state that changes often). A sample then
// re-renders no table row: each row's figures and sparkline subscribe to the store and
// write their own text node or polylines when their value changes; a row re-renders only
// when its instance, its selection or the shape of its cells changes (a process count, a
// GPU that stops being measured).
// Why by hand: the rows' React render and commit were most of the console's script per
// update (bench:ui: script p50 2.1–2.5 → 1.2–1.3 ms with this and the out-of-view rows
// left waiting); the DOM writes themselves are the same either way. What a row out of view
// does not write is the larger part: its figures' style, layout and paint.
import { useLayoutEffect, useRef, useState } from 'react';
import type { InstanceSample, Snapshot } from '../../shared/contract';
import { useStore, type State } from './store';
import { SparkSvg, writeSparkline } from './ui/charts';
import { forLast } from './ui/per-sample';

/**
 * Whether a part of the page is in view (or near it): a live figure out of view is not
 * written, and is written when it comes into view. One IntersectionObserver watches every
 * such part. A part counts as in view until the observer first says otherwise.
 */
export interface View {
  visible: boolean;
  /** Called when the part comes into view or goes out of it. */
  changed: Set<() => void>;
}
const views = new WeakMap<Element, View>();
let io: IntersectionObserver | undefined;
function observer(): IntersectionObserver {
  io ??= new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        const view = views.get(e.target);
        if (!view) continue;
        if (view.visible === e.isIntersecting) continue;
        view.visible = e.isIntersecting;
        for (const changed of view.changed) changed();
      }
    },
    // A row about to be scrolled into view is written already; one further down catches up
    // in the frame after it shows.
    { rootMargin: '48px 0px' },
  );
  return io;
}

/** The element to watch (a ref to attach) and its view, stable for the component's life. */
export function useInView<E extends Element>(): [React.RefObject<E | null>, View] {
  const ref = useRef<E>(null);
  const [view] = useState<View>(() => ({ visible: true, changed: new Set() }));
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    views.set(el, view);
    observer().observe(el);
    return () => {
      observer().unobserve(el);
      views.delete(el);
      view.visible = true;
    };
  }, [view]);
  return [ref, view];
}

/** The element to watch, and whether it is in view: a state, for parts that React renders (a chart's data). */
export function useVisible<E extends Element>(): [React.RefObject<E | null>, boolean] {
  const [ref, view] = useInView<E>();
  const [visible, setVisible] = useState(true);
  useLayoutEffect(() => {
    const changed = () => setVisible(view.visible);
    view.changed.add(changed);
    return () => void view.changed.delete(changed);
  }, [view]);
  return [ref, visible];
}

/**
 * Calls `write(select(state))` before the first paint, after a render that selects another
 * value (the selector may close over new props), and on every store change that selects
 * another value (`Object.is`), while `view` (when given) is in view; and when it comes back
 * into view. The store's changes run it inside the store's update: in the frame that
 * applies the sample.
 */
export function useLive<T>(select: (s: State) => T, write: (value: T) => void, view?: View): void {
  const fns = useRef({ select, write, view });
  fns.current = { select, write, view };
  const last = useRef<{ value: T } | null>(null);
  const [update] = useState(() => () => {
    const { select, write, view } = fns.current;
    if (view && !view.visible && last.current) return;
    const value = select(useStore.getState());
    if (last.current && Object.is(last.current.value, value)) return;
    last.current = { value };
    write(value);
  });
  useLayoutEffect(update);
  useLayoutEffect(() => useStore.subscribe(update), [update]);
  useLayoutEffect(() => {
    if (!view) return;
    view.changed.add(update);
    return () => void view.changed.delete(update);
  }, [view, update]);
}

/** An instance's sample in a snapshot, found through a map made once per snapshot. */
const byId = forLast((snap: Snapshot) => new Map(snap.instances.map((i) => [i.id, i])));
export const sampleOf = (snap: Snapshot | null, id: string): InstanceSample | undefined => (snap ? byId(snap).get(id) : undefined);

/** Every instance's last minute of CPU and of stream fps (null: no reading), in one pass per history. */
export const instanceSparks = forLast((history: Snapshot[]) => {
  const cpu = new Map<string, (number | null)[]>();
  const fps = new Map<string, (number | null)[]>();
  const from = Math.max(0, history.length - 60);
  for (let k = from; k < history.length; k++) {
    for (const i of history[k]!.instances) {
      let arr = cpu.get(i.id);
      if (!arr) cpu.set(i.id, (arr = new Array<number | null>(k - from).fill(null)));
      arr.push(i.cpu);
      if (i.stream) {
        let f = fps.get(i.id);
        if (!f) fps.set(i.id, (f = new Array<number | null>(k - from).fill(null)));
        f.push(i.stream.ok ? i.stream.value.fps : null);
      }
    }
  }
  return { cpu, fps };
});

/** A figure's box (see .fig in styles.css) whose text is written from the store, not rendered. */
export function LiveFig({ className, text, view }: { className: string; text: (s: State) => string; view?: View }) {
  const ref = useRef<HTMLDivElement>(null);
  useLive(
    text,
    (value) => {
      const el = ref.current;
      if (!el) return;
      // One text node, its data replaced: no node made or dropped per sample.
      if (el.firstChild instanceof Text) el.firstChild.data = value;
      else el.textContent = value;
    },
    view,
  );
  return <div className={className} ref={ref} />;
}

/** A sparkline whose lines are written from the store, not rendered. */
export function LiveSparkline({ values, max = 100, color, view }: { values: (s: State) => (number | null)[]; max?: number; color?: string; view?: View }) {
  const ref = useRef<SVGSVGElement>(null);
  useLive(
    values,
    (v) => {
      if (ref.current) writeSparkline(ref.current, v, max);
    },
    view,
  );
  return <SparkSvg ref={ref} color={color} />;
}
