// <label-dashboard>'s ML assist card: the live progress of a host's assist (an AssistMonitor such as
// attachAssist returns), and the model's state in words from the run records.
import { expect } from '@esm-bundle/chai';
import type { AssistActivity, AssistMonitor } from '@labelkit/core';
import { demoProject } from '../../test/demo-project.js';
import './label-dashboard.js';

/** A monitor the test drives. */
function monitor(): AssistMonitor & { emit(a: AssistActivity): void } {
  const listeners = new Set<(a: AssistActivity) => void>();
  let activity: AssistActivity = { state: 'idle' };
  return {
    get activity() {
      return activity;
    },
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit(a) {
      activity = a;
      for (const l of listeners) l(a);
    },
  };
}

describe('<label-dashboard> ML assist card', () => {
  afterEach(() => document.querySelectorAll('label-dashboard').forEach((e) => e.remove()));

  it('shows the progress events of the running assist as a bar, and the model in words', async () => {
    const { project } = await demoProject({ items: 40, labeled: 8, assist: true });
    const el = document.createElement('label-dashboard');
    el.project = project;
    const m = monitor();
    el.assist = m;
    document.body.append(el);
    await el.updateComplete;
    const root = el.shadowRoot!;
    const card = () => root.querySelector('[part~="assist-card"]')!;
    expect(card().textContent).to.contain('No model yet');

    m.emit({ state: 'working', phase: 'featurization', done: 340, total: 1000 });
    await el.updateComplete;
    const bar = root.querySelector('[part~="assist-progress"] [role=progressbar]')!;
    expect(bar.getAttribute('aria-valuenow')).to.equal('340');
    expect(bar.getAttribute('aria-valuemax')).to.equal('1000');
    expect(card().textContent).to.contain('Reading images: 340 of 1,000');
    // The bar's width is set through the CSSOM (styleProps), as a strict CSP requires.
    expect((bar.querySelector('span') as HTMLElement).style.width).to.equal('34%');

    // A round that found no threshold says so in words, and why.
    const t = await project.startRun('training', { device: 'wasm' });
    await project.finishRun(t, 'completed', { device: 'cpu', metrics: { labeled: 8 } });
    const v = await project.startRun('validation', { device: 'wasm' });
    await project.finishRun(v, 'completed', {
      device: 'cpu',
      metrics: {
        oofAccuracy: 0.82,
        calibrationRows: 87,
        threshold: null,
        withheld: 'no threshold reaches 95 % precision',
        gated: 'classes with under 5 labels are not predicted: unsure',
      },
    });
    m.emit({ state: 'idle' });
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    await el.updateComplete;
    const text = card().textContent!.replace(/\s+/g, ' ');
    expect(text).to.contain('Model accuracy on 87 checked items: 82 %; labels are suggested only where it reaches 95 %.');
    expect(text).to.contain('No suggestions now: the model is not yet sure enough');
    expect(text).to.contain('Not suggested until they have more examples: unsure.');
    expect(root.querySelector('[part~="assist-progress"]')).to.equal(null);
    // The runs table names the metrics in words; internals stay behind "more".
    const row = [...root.querySelectorAll('table.runs tbody tr')].find((r) => r.textContent!.includes('validation'))!;
    expect(row.textContent).to.contain('accuracy: 0.820');
    expect(row.textContent).to.contain('cpu');
  });

  it('Details: an owner edits the assist settings', async () => {
    const { project } = await demoProject({ items: 20, assist: true });
    const el = document.createElement('label-dashboard');
    el.project = project;
    el.tab = 'details';
    document.body.append(el);
    await el.updateComplete;
    const root = el.shadowRoot!;
    const input = (name: string) => root.querySelector<HTMLInputElement>(`form.assist-settings input[name=${name}]`)!;
    input('firstTrainingAt').value = '30';
    input('retrainEvery').value = '40';
    input('targetPrecision').value = '0.9';
    input('clustering').checked = false;
    root.querySelector<HTMLButtonElement>('form.assist-settings button[type=submit]')!.click();
    for (let i = 0; i < 200 && project.assist.retrainEvery !== 40; i++) await new Promise((r) => setTimeout(r, 10));
    expect(project.assist).to.deep.include({ firstTrainingAt: 30, retrainEvery: 40, targetPrecision: 0.9, clustering: false, enabled: true });
  });
});
