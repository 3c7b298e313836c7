/**
 * A process for one step of a workload (forked by lib/child.ts with tsx).
 * argv: workload step. Receives `{ params }`, runs `steps[step](params, progress)`
 * from bench/<workload>.ts, sends progress lines and then one result, or a skip
 * with the reason (an engine that cannot open, a failed check, a throw).
 */
import { isSkipped, type ChildMessage } from './lib/child.js';
import { reason } from './lib/reason.js';

export type Progress = (text: string) => void;
export type Step = (params: never, progress: Progress) => Promise<unknown>;

const [workload = '', step = ''] = process.argv.slice(2);

function send(msg: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) => process.send!(msg, undefined, {}, (e) => (e ? reject(e) : resolve())));
}

function params(): Promise<unknown> {
  return new Promise((resolve) => process.once('message', (m: { params: unknown }) => resolve(m.params)));
}

async function main(): Promise<void> {
  const p = await params();
  const mod = (await import(new URL(`./${workload}.ts`, import.meta.url).href)) as { steps?: Record<string, Step> };
  const fn = mod.steps?.[step];
  if (!fn) return send({ type: 'skip', reason: `bench/${workload}.ts has no step '${step}'` });
  const value = await fn(p as never, (text) => { void send({ type: 'progress', text }); });
  if (isSkipped(value)) {
    const msg: ChildMessage = { type: 'skip', reason: String(value.skipped) };
    if (value.unavailable) msg.unavailable = true;
    return send(msg);
  }
  await send({ type: 'result', value });
}

main().then(
  () => process.disconnect(),
  async (err: unknown) => {
    const where = (err as Error)?.stack?.split('\n').slice(1, 3).map((s) => s.trim()).join(' ← ') ?? '';
    await send({ type: 'skip', reason: `failed: ${reason(err)}${where ? ` (${where})` : ''}` }).catch(() => {});
    process.exitCode = 1;
    process.disconnect();
  },
);
