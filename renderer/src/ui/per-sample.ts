// Chart points derived from a sample, made once per sample and kept as long as the sample
// is (a WeakMap keyed by it). Each second the console re-derives its charts' 10-minute
// windows from the history; making new point objects for every sample each time was
// ~3,000 objects a second (system CPU and network, an open instance's three charts), the
// garbage behind the major-GC tail of bench:ui. And what is asked of the latest sample only,
// made once for it (forLast).

/** `make(key)`, computed once per key object. */
export function perSample<K extends object, V>(make: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    let v = cache.get(key);
    if (v === undefined) {
      v = make(key);
      cache.set(key, v);
    }
    return v;
  };
}

/** `make(key, id)`, computed once per key object and id (an instance's point in a snapshot). */
export function perSampleAndId<K extends object, V>(make: (key: K, id: string) => V): (key: K, id: string) => V {
  const byKey = perSample((_: K) => new Map<string, V>());
  return (key, id) => {
    const m = byKey(key);
    let v = m.get(id);
    if (v === undefined) {
      v = make(key, id);
      m.set(id, v);
    }
    return v;
  };
}

/**
 * `make(key)`, remembered for the last key only: for what every caller asks of the same
 * (latest) snapshot or history, and which dies young with it (perSample would keep one for
 * each of the window's 600 samples).
 */
export function forLast<K, V>(make: (key: K) => V): (key: K) => V {
  let key: K | undefined;
  let value: V | undefined;
  return (k) => {
    if (k !== key || value === undefined) {
      key = k;
      value = make(k);
    }
    return value;
  };
}
