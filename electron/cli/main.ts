// The `streamcap` command line: one door onto the core, for scripts.
import { createRequire } from 'node:module';
import { ApiError } from '../../shared/contract';
import { AGENT_USAGE, agentCommand } from './agent';
import { UsageError } from './args';
import { BANDWIDTH_USAGE, bandwidthCommand } from './bandwidth';
import { LAUNCH_USAGE, launchCommand } from './launch';
import { PROBE_USAGE, probeCommand } from './probe';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };

const USAGE = `StreamCap ${pkg.version} — launch and watch pixel-streaming instances, measure server capacity.

Usage: streamcap <command> [options]

Commands:
  launch    launch N instances of an app and watch their load (--json for NDJSON)
  agent     serve the web console and API (headless, for remote render servers)
  bandwidth uplink and encoder sessions an audience needs (--json for JSON)
  probe     measure how many instances of an app this server runs at once (--json, --report)

Run "streamcap <command> --help" for a command's options.`;

const commands: Record<string, { run: (argv: string[]) => Promise<number>; usage: string }> = {
  launch: { run: launchCommand, usage: LAUNCH_USAGE },
  agent: { run: agentCommand, usage: AGENT_USAGE },
  bandwidth: { run: bandwidthCommand, usage: BANDWIDTH_USAGE },
  probe: { run: probeCommand, usage: PROBE_USAGE },
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
  const cmd = commands[name];
  if (!cmd) {
    console.error(`Unknown command "${name}".\n\n${USAGE}`);
    return 2;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`streamcap ${name}: ${(e as Error).message}\n\n${cmd.usage}`);
      return 2;
    }
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
