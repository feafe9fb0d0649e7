// What one measurement is and how its runs are summarised: medians of RUNS_PER_MEASUREMENT runs.
import { median, RUNS_PER_MEASUREMENT, type RunFigure } from './common.ts';

export type Engine = 'sqlite' | 'sqlite+kysely' | 'postgres' | 'pglite';
export type Workload = 'insert' | 'reserve';

export interface MeasurementSpec {
  engine: Engine;
  workload: Workload;
  /** SQLite `synchronous` (FULL / NORMAL) or PostgreSQL `synchronous_commit`. */
  durability: string;
  rowsPerCommit: number;
  /** How a multi-row commit is written, when it matters (PostgreSQL: a statement per row or one for the batch). */
  note?: string;
}

export interface Measurement extends MeasurementSpec {
  runs: RunFigure[];
  rowsPerSecMedian: number;
  rowsPerSecMin: number;
  rowsPerSecMax: number;
  commitsPerSecMedian: number;
  msPerCommitMedian: number;
}

export function summarise(spec: MeasurementSpec, runs: RunFigure[]): Measurement {
  const rowRates = runs.map((r) => (r.rows * 1000) / r.elapsedMs);
  const commitRates = runs.map((r) => (r.commits * 1000) / r.elapsedMs);
  const msPerCommit = runs.map((r) => r.elapsedMs / r.commits);
  return {
    ...spec,
    runs: runs.map((r) => ({ rows: r.rows, commits: r.commits, elapsedMs: Math.round(r.elapsedMs) })),
    rowsPerSecMedian: Math.round(median(rowRates)),
    rowsPerSecMin: Math.round(Math.min(...rowRates)),
    rowsPerSecMax: Math.round(Math.max(...rowRates)),
    commitsPerSecMedian: Math.round(median(commitRates)),
    msPerCommitMedian: Number(median(msPerCommit).toFixed(3)),
  };
}

export interface MeasurementTask {
  spec: MeasurementSpec;
  /** One run on a fresh store, bounded by RUN_BUDGET_MS and MAX_ROWS_PER_RUN. */
  once: () => Promise<RunFigure>;
}

/**
 * Runs every task RUNS_PER_MEASUREMENT times, round-robin: the runs of one measurement are spread over
 * the whole bench, so a burst of load from something else on this shared box hits at most one of them.
 */
export async function measureInterleaved(tasks: MeasurementTask[]): Promise<Measurement[]> {
  const runs = tasks.map((): RunFigure[] => []);
  for (let round = 1; round <= RUNS_PER_MEASUREMENT; round += 1) {
    console.log(`round ${round}/${RUNS_PER_MEASUREMENT}:`);
    for (const [i, task] of tasks.entries()) {
      const run = await task.once();
      runs[i]!.push(run);
      const rate = Math.round((run.rows * 1000) / run.elapsedMs);
      console.log(
        `  ${label(task.spec).padEnd(72)} ${String(rate).padStart(8)} rows/s  (${run.commits} commits in ${Math.round(run.elapsedMs)} ms)`,
      );
    }
  }
  return tasks.map((task, i) => summarise(task.spec, runs[i]!));
}

export function label(m: MeasurementSpec): string {
  const what = m.workload === 'insert' ? 'insert order' : 'reserve+order';
  return `${m.engine} ${what} ${m.durability} ${m.rowsPerCommit}/tx${m.note ? ` (${m.note})` : ''}`;
}
