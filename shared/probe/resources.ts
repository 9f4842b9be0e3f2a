// The resources the probe weighs, and maps over them.

export const RESOURCES = ['cpu', 'gpu', 'gpuMemory', 'memory', 'encoder', 'encoderSessions'] as const;
export type Resource = (typeof RESOURCES)[number];
export type LimitReason = Resource | 'instanceExit' | 'maxInstances' | 'streamQuality';

export type ResourceMap<T> = Record<Resource, T>;
export const resourceMap = <T>(f: (r: Resource) => T): ResourceMap<T> => Object.fromEntries(RESOURCES.map((r) => [r, f(r)])) as ResourceMap<T>;
