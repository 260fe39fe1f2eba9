import { formatIssue, isUserError, ScenarioError, scenarioJsonSchema } from '@sandtable/core';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { type CommandIo, processIo } from './command-io';
import { briefCommand } from './commands/brief-command';
import { compareCommand } from './commands/compare-command';
import { convertCommand } from './commands/convert-command';
import { doctorCommand } from './commands/doctor-command';
import { interviewCommand } from './commands/interview-command';
import { newCommand } from './commands/new-command';
import { replayCommand } from './commands/replay-command';
import { resumeCommand } from './commands/resume-command';
import { runCommand } from './commands/run-command';
import { serveCommand } from './commands/serve-command';
import { sweepCommand } from './commands/sweep-command';
import { templatesCommand } from './commands/templates-command';
import { tokenCreateCommand } from './commands/token-command';
import { validateCommand } from './commands/validate-command';
import { worldCommand } from './commands/world-command';

function integer(name: string) {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0)
      throw new InvalidArgumentError(`${name} must be a whole number`);
    return parsed;
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * The `sandtable` command. Returns the exit code: 0 done, 1 bad input, 2 run failed,
 * 130 interrupted. User errors print without a stack trace.
 */
export async function main(argv: string[], io: CommandIo = processIo): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name('sandtable')
    .description('Multi-agent simulation engine: run "what happens if…" scenarios.')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.trimEnd()),
      writeErr: (text) => io.err(text.trimEnd()),
    });

  program
    .command('run')
    .description(
      'Run a scenario and write runs/<run-id>/ (events.jsonl, metrics.csv, final-state.json, summary.md)',
    )
    .argument('<file>', 'scenario file (YAML or JSON)')
    .option('--steps <n>', 'number of steps (overrides the scenario)', integer('--steps'))
    .option('--seed <n>', 'random seed (overrides the scenario)', integer('--seed'))
    .option('--set <name=value>', 'set a scenario parameter (repeatable)', collect, [])
    .option('--out <dir>', 'where run folders go', 'runs')
    .option('--json', 'print the event stream as JSON lines instead of progress')
    .option(
      '--clock <mode>',
      'rounds (everyone acts each step) or events (agents act when something reaches them)',
      (value: string) => {
        if (value !== 'rounds' && value !== 'events')
          throw new InvalidArgumentError('--clock is rounds or events');
        return value;
      },
    )
    .option('--record', 'keep every model reply in the run folder (cassette.jsonl) for `sandtable replay`')
    .option('--replay <cassette>', 'answer model calls from a cassette instead of a model server')
    .option(
      '--model-config <file>',
      'model configuration (default: sandtable.config.yaml, env vars, local servers)',
    )
    .option(
      '--data <dir>',
      'embedded store folder (default ~/.local/share/sandtable/store; DATABASE_URL for PostgreSQL)',
    )
    .option('--no-store', 'do not store the run (it cannot be resumed)')
    .action(async (file: string, options) => {
      exitCode = await runCommand(file, options, io);
    });

  program
    .command('resume')
    .description(
      'Continue a stored run that was interrupted (killed, Ctrl-C) from its last committed step, exactly as it would have gone on',
    )
    .argument('<run-id>', 'the id `sandtable run` printed')
    .option('--out <dir>', 'where the run folder is rewritten', 'runs')
    .option('--json', 'print the event stream as JSON lines instead of progress')
    .option('--data <dir>', 'embedded store folder (ignored when DATABASE_URL is set)')
    .option('--model-config <file>', 'model configuration for the steps still to run')
    .action(async (runId: string, options) => {
      exitCode = await resumeCommand(runId, options, io);
    });

  program
    .command('replay')
    .description(
      'Re-run a recorded run from its folder with no model server and check the event log is identical',
    )
    .argument('<run-dir>', 'a folder written by `sandtable run --record`')
    .option('--out <dir>', 'where the replayed run folder goes', 'runs')
    .action(async (runDirectory: string, options) => {
      exitCode = await replayCommand(runDirectory, options, io);
    });

  program
    .command('interview')
    .description('Ask an agent of a finished run a question (the run is rebuilt from its folder, unchanged)')
    .argument('<run-dir>', 'a folder written by `sandtable run`')
    .argument('<agent>', 'agent id')
    .argument('<question>', 'what to ask')
    .option('--step <n>', 'ask as of this step instead of the end', integer('--step'))
    .option('--model-config <file>', 'model configuration for model-backed agents')
    .action(
      async (
        runDirectory: string,
        agentId: string,
        question: string,
        options: { step?: number; modelConfig?: string },
      ) => {
        exitCode = await interviewCommand(runDirectory, agentId, question, options, io);
      },
    );

  program
    .command('brief')
    .description(
      'Write the executive brief and rubric evaluation of a run into its folder (brief.md, evaluation.json)',
    )
    .argument('<run-dir>', 'a folder written by `sandtable run`')
    .option('--pdf', 'also write brief.pdf with charts of the main metrics')
    .option(
      '--model',
      'write it with the configured model (default: deterministic, from signals and metrics)',
    )
    .option('--model-config <file>', 'write it with a model from this configuration file')
    .option('--with <run-dir>', 'another run of the scenario: ranges over all runs (repeatable)', collect, [])
    .action(async (runDirectory: string, options) => {
      exitCode = await briefCommand(runDirectory, options, io);
    });

  program
    .command('compare')
    .description(
      'Compare runs side by side: what differs, divergence step, final values and deltas, series, end state, headlines',
    )
    .argument('<run-dirs...>', 'two or more folders written by `sandtable run`')
    .option('--json', 'print the comparison as JSON')
    .option('--out <file>', 'also write it to this file')
    .action(async (directories: string[], options: { json?: boolean; out?: string }) => {
      exitCode = await compareCommand(directories, options, io);
    });

  program
    .command('sweep')
    .description(
      'Run a scenario over parameter settings × seeds (rule agents, on worker threads) and report mean, spread, percentiles, 95% intervals and parameter effects',
    )
    .argument('<file>', 'a sweep file (scenario, grid, random, seeds) or a scenario file')
    .option('--grid <name=a,b>', 'grid values of a parameter (repeatable)', collect, [])
    .option('--seeds <seeds>', 'seeds: first..last or a,b,c')
    .option('--random <name=range>', 'a random parameter: min..max or a|b|c (repeatable)', collect, [])
    .option('--samples <n>', 'random settings to draw', integer('--samples'))
    .option('--random-seed <n>', 'seed of the random settings', integer('--random-seed'))
    .option(
      '--parallel <n>',
      'worker threads, runs at once (default: the file’s parallel, else the cores)',
      integer('--parallel'),
    )
    .option('--workers <n>', 'same as --parallel', integer('--workers'))
    .option('--in-process', 'run every member on the main thread (no worker threads)')
    .option('--steps <n>', 'steps per run (overrides the scenario)', integer('--steps'))
    .option('--metric <name>', 'a metric to report (repeatable; default: all)', collect, [])
    .option('--out <dir>', 'where the sweep folder goes', 'runs')
    .option('--pdf', 'also write sweep.pdf with charts')
    .action(async (file: string, options) => {
      exitCode = await sweepCommand(file, options, io);
    });

  program
    .command('doctor')
    .description('Check the configured model endpoints: reachable, models, tool calling, JSON mode')
    .option('--model-config <file>', 'model configuration file')
    .option('--timeout <ms>', 'time limit of each check', integer('--timeout'))
    .action(async (options: { modelConfig?: string; timeout?: number }) => {
      exitCode = await doctorCommand(
        {
          ...(options.modelConfig ? { modelConfig: options.modelConfig } : {}),
          ...(options.timeout ? { timeoutMs: options.timeout } : {}),
        },
        io,
      );
    });

  program
    .command('validate')
    .description('Check scenario files; print every problem with file:line:column')
    .argument('<files...>', 'scenario files')
    .action(async (files: string[]) => {
      exitCode = await validateCommand(files, io);
    });

  program
    .command('world')
    .description(
      'Build the world a folder of company files (or a scenario with data/documents) describes: table mapping, baselines, documents, personas, warnings',
    )
    .argument('<folder-or-scenario>', 'a folder of CSV/XLSX/JSON/PDF/DOCX/Markdown files, or a scenario file')
    .option('--category <name>', 'scenario category the personas are allocated for (folder input)', 'custom')
    .option('--seed <n>', 'seed for persona traits', integer('--seed'))
    .option('--json', 'print the snapshot, documents, personas and warnings as JSON')
    .option(
      '--write-personas',
      'have the model (tier smart) write persona texts and traits from the data (folder input)',
    )
    .option('--model-config <file>', 'model configuration for --write-personas')
    .action(async (input: string, options) => {
      exitCode = await worldCommand(input, options, io);
    });

  program
    .command('convert')
    .description('Convert a scenario in a seed format (seed 004 YAML, seed 003 JSON) to the native format')
    .argument('<file>', 'scenario file')
    .option('--out <file>', 'where to write the native YAML (default: standard output)')
    .action(async (file: string, options: { out?: string }) => {
      exitCode = await convertCommand(file, options, io);
    });

  program
    .command('serve')
    .description(
      'Start the HTTP API, live event streams and the dashboard on one port (embedded store; DATABASE_URL, REDIS_URL)',
    )
    .option('--port <n>', 'port to listen on', integer('--port'), 4000)
    .option('--host <host>', 'address to bind; anything but loopback requires API tokens', '127.0.0.1')
    .option('--require-token', 'require an API token even on loopback')
    .option('--data <dir>', 'embedded store folder (default ~/.local/share/sandtable/store)')
    .option('--max-runs <n>', 'runs executing at once; more are queued', integer('--max-runs'))
    .option('--model-config <file>', 'model configuration for LLM agents')
    .option('--body-limit <bytes>', 'largest request body accepted', integer('--body-limit'))
    .option('--no-resume', 'do not resume runs interrupted by the last shutdown or crash')
    .option('--no-build', 'do not build the dashboard when its build is missing or older than its sources')
    .action(async (options) => {
      exitCode = await serveCommand(options, io);
    });

  program
    .command('token')
    .description('Manage API tokens')
    .command('create')
    .description('Create an API token for a workspace and print it once')
    .option('--workspace <name>', 'workspace name (created when missing; default: the default workspace)')
    .option('--name <label>', 'a label for the token')
    .option('--data <dir>', 'embedded store folder (ignored when DATABASE_URL is set)')
    .action(async (options: { workspace?: string; name?: string; data?: string }) => {
      exitCode = await tokenCreateCommand(options, io);
    });

  program
    .command('templates')
    .description('List the scenario templates: name, category, what happens, parameters with defaults')
    .option('--json', 'print the catalogue as JSON')
    .action(async (options: { json?: boolean }) => {
      exitCode = await templatesCommand(options, io);
    });

  program
    .command('new')
    .description(
      'Write a scenario from a template (--template NAME --set k=v) or from a sentence ("A 3-week strike closes Rotterdam port in March")',
    )
    .argument('[description]', 'the situation in plain English')
    .option('--template <name>', 'fill this template (see `sandtable templates`)')
    .option('--set <name=value>', 'set a template parameter (repeatable)', collect, [])
    .option('--out <file>', 'where to write the scenario (default: standard output)')
    .option('--model-config <file>', 'model configuration for reading the sentence (tier smart)')
    .option('--offline', 'use the deterministic matcher even when a model is configured')
    .action(async (description: string | undefined, options) => {
      exitCode = await newCommand(description, options, io);
    });

  program
    .command('schema')
    .description('Print the scenario format as JSON Schema (for editors)')
    .action(() => {
      io.out(JSON.stringify(scenarioJsonSchema(), null, 2));
    });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 1;
    }
    if (error instanceof ScenarioError) {
      for (const issue of error.issues) io.err(formatIssue(issue));
      return 1;
    }
    if (isUserError(error)) {
      io.err(`error: ${error.message}`);
      return 1;
    }
    io.err(`internal error: ${(error as Error).stack ?? String(error)}`);
    return 2;
  }
}
