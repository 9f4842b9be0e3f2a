// `streamcap agent`: the core headless, its web console and API on HTTP + WebSocket.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startAgent } from '../server/api';
import { DEFAULT_SESSIONS_PER_ADDRESS, startSessionServer, type SessionServer } from '../server/sessions';
import { loadOrCreateToken, METRICS_TOKEN_FILE } from '../server/security';
import { ensureUiBuilt } from '../server/ui-build';
import { Core, type OrphanPolicy } from '../core/core';
import { numberOption, UsageError } from './args';

export const AGENT_USAGE = `Usage: streamcap agent [--host 127.0.0.1] [--port 7420] [options]

Runs StreamCap headless and serves the web console and its API (HTTP + WebSocket),
and Prometheus metrics at /metrics (read-only token: metrics-token in the data folder).
Prints the console's URL with the access token, and the metrics token.

Options:
  --host ADDR        address to listen on (default 127.0.0.1; 0.0.0.0 to serve the LAN)
  --port N           port (default 7420; 0 picks a free one)
  --interval MS      sampling interval (default 1000)
  --orphans MODE     instances left by a crashed StreamCap: ask (default, shown in the console), stop, adopt
  --data-dir DIR     where profiles and the ledger live (default: the user's config folder)
  --sessions-host ADDR  also serve the waiting room (/wait) and the client sessions API,
                     and nothing else, on this address for end users (e.g. 0.0.0.0 for the LAN)
  --sessions-port N  port of that listener (default 7421)
  --sessions-per-address N  places in line one address may hold (default 50; raise it
                     for a venue where everyone is behind one NAT)
  --fleet FILE       be the fleet's front door: the servers in FILE
                     ({"servers":[{"name":"render-01","url":"http://10.0.0.11:7420","token":"…"}]})
                     are shown in the console's Fleet view, and the waiting room (/wait and
                     /api/v1/sessions) places people on them, least stressed first

Stop with Ctrl-C: running instances are stopped too.`;

export async function agentCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string' },
      interval: { type: 'string' },
      orphans: { type: 'string', default: 'ask' },
      'data-dir': { type: 'string' },
      'sessions-host': { type: 'string' },
      'sessions-port': { type: 'string' },
      'sessions-per-address': { type: 'string' },
      fleet: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(AGENT_USAGE);
    return 0;
  }
  const port = numberOption(values.port, 'port', { min: 0, max: 65535, integer: true, dflt: 7420 });
  const interval = numberOption(values.interval, 'interval', { min: 100, max: 60000, integer: true, dflt: 1000 });
  const sessionsPort = numberOption(values['sessions-port'], 'sessions-port', { min: 0, max: 65535, integer: true, dflt: 7421 });
  const perAddress = numberOption(values['sessions-per-address'], 'sessions-per-address', { min: 1, max: 10000, integer: true, dflt: DEFAULT_SESSIONS_PER_ADDRESS });
  if (values['sessions-port'] !== undefined && !values['sessions-host']) throw new UsageError('--sessions-port needs --sessions-host (the address end users reach).');
  if (!['ask', 'stop', 'adopt'].includes(values.orphans!)) throw new UsageError('--orphans must be ask, stop or adopt.');
  if (values['data-dir']) process.env.STREAMCAP_HOME = values['data-dir'];
  const fleetFile = values.fleet ? path.resolve(values.fleet) : null;
  if (fleetFile && !fs.existsSync(fleetFile)) throw new UsageError(`--fleet ${values.fleet}: no such file. Write {"servers":[{"name":"render-01","url":"http://10.0.0.11:7420","token":"…"}]} to it.`);
  const log = (m: string) => process.stderr.write(m + '\n');

  const staticDir = await ensureUiBuilt(log);
  const core = await Core.create({ sampleIntervalMs: interval, orphanPolicy: values.orphans as OrphanPolicy, fleet: fleetFile ? { file: fleetFile, frontDoor: true } : undefined });
  if (core.fleetStart.problem) {
    const problem = core.fleetStart.problem;
    await core.shutdown({ stopInstances: false });
    throw new UsageError(`--fleet: ${problem}`);
  }
  const orphans = core.orphanList();
  if (orphans.length > 0) log(`${orphans.length} instance(s) left running by an earlier StreamCap: stop or adopt them in the console.`);
  for (const problem of core.settingsProblems) log(problem);
  const restored = core.restoredLine;
  if (restored) log(`Waiting line restored from the journal: ${restored.people} ${restored.people === 1 ? 'person' : 'people'}${restored.repaired ? ` (${restored.repaired})` : ''}.`);
  let agent;
  let sessions: SessionServer | null = null;
  try {
    agent = await startAgent({
      core,
      host: values.host,
      port,
      token: loadOrCreateToken(core.dataDir),
      metricsToken: loadOrCreateToken(core.dataDir, METRICS_TOKEN_FILE),
      staticDir,
      sessionsPerAddress: perAddress,
    });
    if (values['sessions-host']) sessions = await startSessionServer({ core, host: values['sessions-host'], port: sessionsPort, staticDir, sessionsPerAddress: perAddress });
    core.setWaitingRoomUrl(`${sessions?.url ?? agent.url}wait`);
  } catch (e) {
    await agent?.close();
    await core.shutdown({ stopInstances: false });
    throw e;
  }
  const token = loadOrCreateToken(core.dataDir);
  console.log(`StreamCap agent ${core.hostInfo().version} on ${core.hostInfo().hostname}`);
  console.log(`Web console: ${agent.browserUrl}`);
  console.log(`API token:   ${token}   (send as "Authorization: Bearer <token>")`);
  console.log(`Metrics:     ${agent.url}metrics   (Prometheus; read-only token ${loadOrCreateToken(core.dataDir, METRICS_TOKEN_FILE)}, in ${path.join(core.dataDir, METRICS_TOKEN_FILE)})`);
  if (values.host !== '127.0.0.1' && values.host !== 'localhost' && values.host !== '::1') {
    console.log(`Listening on ${values.host}: reachable from the network. Keep the token private.`);
  }
  if (fleetFile) {
    const names = core.fleetStart.servers;
    console.log(`Front door:  ${names.length} server${names.length === 1 ? '' : 's'} (${names.join(', ') || 'none yet'}) from ${fleetFile}; the waiting room places people on them`);
    const back = core.fleetStart.restored;
    if (back) log(`Front door line restored from the journal: ${back} ${back === 1 ? 'person' : 'people'}.`);
  }
  console.log(`Waiting room: ${sessions ? `${sessions.url}wait   (end users; client API at ${sessions.url}api/v1/sessions)` : `${agent.url}wait`}`);
  console.log('Press Ctrl-C to stop (running instances are stopped too).');

  await new Promise<void>((resolve) => {
    let n = 0;
    const stop = () => {
      if (++n > 1) process.exit(130);
      log('Stopping the agent and its instances…');
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sessions?.close();
  await agent.close();
  await core.shutdown({ stopInstances: true });
  return 0;
}
