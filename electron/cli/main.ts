// The `streamcap` command line: one door onto the core, for scripts.
//
// Commands are imported when run, not at start: `streamcap --help` and `--version`
// load nothing but this file, and `bandwidth` never loads the core (its process
// readers, ws, prom-client). bench/cli.bench.ts holds the start-up time to account.
import { createRequire } from 'node:module';
import { UsageError } from './args';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };

const USAGE = `StreamCap ${pkg.version} — launch and watch pixel-streaming instances, measure server capacity.

Usage: streamcap <command> [options]

Commands:
  launch    launch N instances of an app and watch their load (--json for NDJSON)
  agent     serve the web console and API (headless, for remote render servers)
  bandwidth uplink and encoder sessions an audience needs (--json for JSON)
  probe     measure how many instances of an app this server runs at once (--json, --report)

Run "streamcap <command> --help" for a command's options.`;

interface Command {
  run: (argv: string[]) => Promise<number>;
  usage: string;
}

const commands: Record<string, () => Promise<Command>> = {
  launch: () => import('./launch').then((m) => ({ run: m.launchCommand, usage: m.LAUNCH_USAGE })),
  agent: () => import('./agent').then((m) => ({ run: m.agentCommand, usage: m.AGENT_USAGE })),
  bandwidth: () => import('./bandwidth').then((m) => ({ run: m.bandwidthCommand, usage: m.BANDWIDTH_USAGE })),
  probe: () => import('./probe').then((m) => ({ run: m.probeCommand, usage: m.PROBE_USAGE })),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    console.log(pkg.version);
    return 0;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) {
    console.error(`Unknown command "${name}".\n\n${USAGE}`);
    return 2;
  }
  const cmd = await load();
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`streamcap ${name}: ${(e as Error).message}\n\n${cmd.usage}`);
      return 2;
    }
    // Loaded only on this path: the contract brings zod, which a plain start does not need.
    const { ApiError } = await import('../../shared/contract');
    if (e instanceof ApiError) {
      console.error(`streamcap ${name}: ${e.message}`);
      return e.code === 'internal' ? 1 : 2;
    }
    console.error(`streamcap ${name}: unexpected error: ${(e as Error).stack ?? e}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
// Timers of an ended core must not keep the process alive.
setTimeout(() => process.exit(), 200).unref();
