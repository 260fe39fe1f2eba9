import { formatDoctorReport, resolveModelSetup, runDoctor } from '@sandtable/core';
import type { CommandIo } from '../command-io';

/**
 * `sandtable doctor`: which model endpoints are configured (or found on this machine), whether
 * they answer, their models, and whether tool calling and JSON mode work on each. Exit 0 when at
 * least one endpoint works, 1 otherwise.
 */
export async function doctorCommand(
  options: { modelConfig?: string; timeoutMs?: number },
  io: CommandIo,
): Promise<number> {
  const setup = await resolveModelSetup(options.modelConfig ? { configPath: options.modelConfig } : {});
  setup.router?.close();
  const report = await runDoctor(setup.config, {
    ...(setup.notice ? { notice: setup.notice } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  io.out(formatDoctorReport(report));
  return report.endpoints.some((endpoint) => endpoint.reachable && endpoint.toolCalling.status === 'ok')
    ? 0
    : 1;
}
