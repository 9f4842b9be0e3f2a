export function buildViewer(root: string): Promise<string>;
