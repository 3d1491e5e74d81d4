// axe-core in the browser tests: the serious and critical violations inside an element (its shadow
// root included), each as "rule: target" so a failing test names what to fix.
import 'axe-core/axe.js';

interface AxeResult {
  violations: { id: string; impact?: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[];
}
interface Axe {
  run(context: Element, options: Record<string, unknown>): Promise<AxeResult>;
}

/** Serious and critical axe-core violations in `el`, as readable lines (empty when there are none). */
export async function axeViolations(el: Element): Promise<string[]> {
  const axe = (globalThis as unknown as { axe: Axe }).axe;
  const r = await axe.run(el, { resultTypes: ['violations'] });
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} — ${JSON.stringify(n.target)}`));
}
