/**
 * Virtual time against real HTTP on a shared case: the same engine, scenario, seed and server
 * profile, once with the server model in virtual time (no sleeping) and once behind the real HTTP
 * simulated server in another process, in real time over loopback. The two wall times should agree
 * within 5%; what is left is the client's own overhead (which virtual time leaves out by design).
 *
 * The shared case is the continuous-batching server, two steps of 200 agents: long enough (~19 s of
 * model time) that building the step's 200 prompts and requests is a small part of it.
 *
 * Usage: `npx tsx bench/mode-agreement.ts [--seeds 5] [--steps 2] [--profile continuous-batching]`.
 * Writes bench/results/mode-agreement.json.
 */
import { runEngineOverHttp } from './support/engine-over-http';
import { runEngineSimulation } from './support/engine-simulation';
import { option, round, seconds, seedList, summarise, writeResult } from './support/reporting';
import type { AgreementResult, AgreementSample as Sample } from './support/result-types';
import { startServerProcess } from './support/server-process-client';
import { serverProfiles } from './support/simulation';

const profileName = option('profile') ?? 'continuous-batching';
const profile = serverProfiles[profileName];
if (!profile) throw new Error(`no server profile named ${profileName}`);
const steps = Number(option('steps') ?? 2);
const setup = { concurrency: 200, endpointConcurrency: 200 };

const samples: Sample[] = [];
for (const seed of seedList()) {
  const simulated = await runEngineSimulation({ profile, seed, steps, ...setup });
  const server = await startServerProcess(profile.name, seed);
  let real: Awaited<ReturnType<typeof runEngineOverHttp>>;
  try {
    real = await runEngineOverHttp({ baseUrl: server.url, seed, steps, ...setup });
  } finally {
    await server.close();
  }
  const sample: Sample = {
    seed,
    virtualSeconds: seconds(simulated.virtualMilliseconds),
    realSeconds: seconds(real.realMilliseconds),
    difference: round(
      (real.realMilliseconds - simulated.virtualMilliseconds) / simulated.virtualMilliseconds,
      4,
    ),
    virtualCalls: simulated.router.calls,
    realCalls: real.calls,
    clientCpuShare: round(real.cpuMilliseconds / real.realMilliseconds),
    realFailures: real.agentFailures,
  };
  samples.push(sample);
  console.log(sample);
}
const summary = {
  absoluteDifference: summarise(samples, (sample) => Math.abs(sample.difference), true),
  difference: summarise(samples, (sample) => sample.difference, true),
};
console.table(samples.map(({ realFailures, ...rest }) => rest));
console.log(JSON.stringify(summary));
await writeResult<AgreementResult>('mode-agreement', 'mode-agreement.ts', {
  profile: profile.name,
  agents: 200,
  steps,
  engineSetup: setup,
  summary,
  samples,
});
