// Capacity probe: the decisions, as pure functions. The runner
// (electron/core/probe-runner.ts) measures and launches; everything it decides —
// is this window steady enough, did this step breach, how many instances next,
// what is the capacity — is decided here, so it can be tested with synthetic load
// curves. No I/O, no DOM, no node:.
//
// The method, the field's manual one automated: open instances one by one (each in
// its heaviest scene) and stop when CPU or GPU reaches ~85 % (one vendor says 80 %).
// Capacity = the largest count whose steady load stayed under every threshold. The
// smart ramp measures 1 and 2 instances, fits load = a + b·n by least squares
// (baseline included), jumps to just below the predicted capacity and confirms the
// boundary step by step; it must agree with the plain ramp.

export * from './resources';
export * from './settings';
export * from './readings';
export * from './stats';
export * from './window';
export * from './fit';
export * from './plan';
export * from './records';
export * from './compose';
