import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createDbd, paperMachineSpec, serializeLearnedDbd } from '@srn/closure';
import { ensembleToCsv, simulateEnsemble } from '@srn/gillespie';
import { latticeSummaryToCsv, simulateLatticeEnsemble } from '@srn/gillespie/lattice';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lotkaVolterraRatesOf, predictClosure } from '../src/closure.ts';
import { readLatticeModel } from '../src/engine.ts';
import { readWellMixedModel } from '../src/engine-wellmixed.ts';
import { EXAMPLES } from '../src/examples.ts';
import { canvasPixels, collectErrors, launchChromium, servePlayground } from './browser.ts';

const examples = join(dirname(createRequire(import.meta.url).resolve('@srn/gillespie/package.json')), 'examples', 'lattice');
const lvText = readFileSync(join(examples, 'lotka-volterra.lattice'), 'utf8');
const cli = join(dirname(createRequire(import.meta.url).resolve('@srn/bench/package.json')), 'bin', 'srn-bench.js');

let browser: Browser;
let site: Awaited<ReturnType<typeof servePlayground>>;
let page: Page;
let errors: string[];
/** Paths the page (and its worker) fetched, in order. */
let fetched: string[];

type PageState = { recorded: number; running: boolean; csv: string; frames: number; curves: { name: string; source: string; times: number[]; values: number[] }[] };
const pageState = (p: Page) => p.evaluate(() => (window as unknown as { srnPlayground: PageState }).srnPlayground);

beforeAll(async () => {
  site = await servePlayground();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

async function openPage(): Promise<void> {
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  errors = collectErrors(page);
  fetched = [];
  page.on('request', (request) => fetched.push(new URL(request.url()).pathname));
  await page.goto(site.url);
  await page.waitForFunction(() => (document.getElementById('editor') as HTMLTextAreaElement).value.length > 0);
}

async function setInput(id: string, value: string): Promise<void> {
  await page.fill(`#${id}`, value);
}

describe('playground in Chromium', () => {
  it('loads with no console errors and shows the first example', async () => {
    await openPage();
    expect(await page.inputValue('#editor')).toBe(EXAMPLES[0].text);
    expect(await page.locator('#example option').count()).toBe(EXAMPLES.length);
    expect(errors).toEqual([]);
  });

  it('runs an example: the lattice canvas and the chart change as it runs', async () => {
    const lattice0 = await canvasPixels(page, 'lattice');
    const plot0 = await canvasPixels(page, 'plot');
    await setInput('steps', '60');
    await setInput('per-frame', '1'); // one snapshot per display frame: about a second for the run, time to look twice
    await page.click('#run');
    await page.waitForFunction(() => (window as unknown as { srnPlayground: PageState }).srnPlayground.recorded >= 20);
    const lattice1 = await canvasPixels(page, 'lattice');
    const plot1 = await canvasPixels(page, 'plot');
    expect((await pageState(page)).recorded).toBeLessThan(60);
    expect(lattice1).not.toBe(lattice0);
    expect(plot1).not.toBe(plot0);
    await page.waitForFunction(() => !(window as unknown as { srnPlayground: PageState }).srnPlayground.running);
    expect((await pageState(page)).recorded).toBe(60);
    // The lattice keeps changing between snapshots (it is redrawn, not drawn once).
    expect(await canvasPixels(page, 'lattice')).not.toBe(lattice1);
    expect(await page.textContent('#seed-shown')).toBe('1');
    await setInput('per-frame', '10');
    // A lattice model needs neither the expression parser (the well-mixed chunk, mathjs) nor the closure code.
    expect(fetched).toContain('/worker.js');
    expect(fetched.filter((p) => /engine-wellmixed|closure/.test(p))).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a 1-D example is drawn as a space-time image', async () => {
    await page.selectOption('#example', 'barw-1d');
    await setInput('steps', '40');
    await page.click('#run');
    await page.waitForFunction(() => {
      const s = (window as unknown as { srnPlayground: PageState }).srnPlayground;
      return !s.running && s.recorded === 40;
    });
    const size = await page.evaluate(() => {
      const c = document.getElementById('lattice') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let lastRowOccupied = 0;
      for (let x = 0; x < c.width; x++) if (d[((c.height - 1) * c.width + x) * 4] !== 245) lastRowOccupied++;
      return { w: c.width, h: c.height, lastRowOccupied };
    });
    expect([size.w, size.h]).toEqual([100, 40]);
    expect(size.lastRowOccupied).toBeGreaterThan(0); // the last snapshot's row was drawn
  });

  it('a 3-D example is drawn as a slice of axis 0 with a slider', async () => {
    await page.selectOption('#example', 'rossler-3d');
    await setInput('steps', '5');
    await page.click('#run');
    await page.waitForFunction(() => {
      const s = (window as unknown as { srnPlayground: PageState }).srnPlayground;
      return !s.running && s.recorded === 5;
    });
    const shape = readLatticeModel(EXAMPLES.find((e) => e.id === 'rossler-3d')!.text).config.shape;
    expect(await page.isVisible('#slice')).toBe(true);
    expect(await page.getAttribute('#slice', 'max')).toBe(String(shape[0] - 1));
    expect(await page.evaluate(() => [(document.getElementById('lattice') as HTMLCanvasElement).width, (document.getElementById('lattice') as HTMLCanvasElement).height])).toEqual([shape[2], shape[1]]);
    const before = await canvasPixels(page, 'lattice');
    await page.fill('#slice', '0');
    await page.dispatchEvent('#slice', 'input');
    expect(await canvasPixels(page, 'lattice')).not.toBe(before); // another slice of the same lattice
  });

  it('runs an uploaded SBML file', async () => {
    const sbml = EXAMPLES.find((e) => e.id === 'sbml-birth-death')!.text;
    await page.setInputFiles('#model-file', { name: 'birth-death.xml', mimeType: 'application/xml', buffer: Buffer.from(sbml) });
    // The page reads the file asynchronously (File.text()), then sets the kind.
    await page.waitForFunction(() => (document.getElementById('kind') as HTMLSelectElement).value === 'sbml', undefined, { timeout: 5000 });
    await setInput('steps', '');
    await setInput('tend', '50');
    const plot0 = await canvasPixels(page, 'plot');
    await page.click('#run');
    await page.waitForFunction(() => {
      const s = (window as unknown as { srnPlayground: PageState }).srnPlayground;
      return !s.running && s.recorded === 201;
    });
    expect(await canvasPixels(page, 'plot')).not.toBe(plot0);
    expect(await page.isHidden('#lattice')).toBe(true);
    // The well-mixed engine was fetched for this model, once.
    expect(fetched.filter((p) => /^\/chunks\/engine-wellmixed-[\w-]+\.js$/.test(p))).toHaveLength(1);
  });

  it('shows a syntax error at its line and column', async () => {
    const bad = lvText.replace('Y -> 0 @ 0.06', 'Y -> 0 @ @');
    const lines = bad.split('\n');
    const line = lines.findIndex((l) => l.startsWith('Y -> 0 @')) + 1;
    await page.selectOption('#example', 'lotka-volterra');
    await page.fill('#editor', bad);
    await page.click('#run');
    await page.waitForSelector('#error:not([hidden])');
    const text = (await page.textContent('#error')) ?? '';
    expect(text).toMatch(new RegExp(`^line ${line}, column \\d+: `));
    expect(Number(await page.getAttribute('#error', 'data-line'))).toBe(line);
    expect(await page.locator('#gutter .bad').textContent()).toBe(String(line));
    // A DSL mistake is reported the same way.
    await page.selectOption('#example', 'wellmixed-lv');
    await page.fill('#editor', 'X = 50\nX -> 2 X @');
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('error')!.dataset.line === '2');
    expect(errors).toEqual([]);
  });

  it('an ensemble in the page gives the numbers of srn-bench lattice simulate and of the library for the same seed (lattice and well-mixed)', async () => {
    await page.selectOption('#example', 'lotka-volterra');
    await setInput('seed', '7');
    await setInput('runs', '8');
    await setInput('steps', '30');
    await page.click('#ensemble');
    await page.waitForFunction(() => (window as unknown as { srnPlayground: PageState }).srnPlayground.csv.length > 0);
    const run = readLatticeModel(lvText, 'model', { steps: 30 });
    const { summary } = simulateLatticeEnsemble(run.config, { runs: 8, seed: 7, observables: run.observables });
    const pageCsv = (await pageState(page)).csv;
    expect(pageCsv).toBe(latticeSummaryToCsv(summary));
    expect(await page.getAttribute('#progress', 'value')).toBe('8');
    // And the command line itself: srn-bench lattice simulate with the same file, runs, seed and snapshots.
    const out = join(mkdtempSync(join(tmpdir(), 'srn-web-cli-')), 'lv');
    try {
      execFileSync(process.execPath, [cli, 'lattice', 'simulate', join(examples, 'lotka-volterra.lattice'), '--runs', '8', '--seed', '7', '--steps', '30', '--workers', '1', '--trajectories', 'none', '--out', out], { stdio: 'pipe' });
      expect(readFileSync(join(out, 'moments.csv'), 'utf8')).toBe(pageCsv);
    } finally {
      rmSync(dirname(out), { recursive: true, force: true });
    }

    const wm = EXAMPLES.find((e) => e.id === 'wellmixed-lv')!;
    await page.selectOption('#example', 'wellmixed-lv');
    await setInput('runs', '300');
    await setInput('steps', '21');
    await setInput('tend', '10');
    await page.click('#ensemble');
    await page.waitForFunction(() => /^time,X-mean/.test((window as unknown as { srnPlayground: PageState }).srnPlayground.csv));
    const stats = simulateEnsemble(readWellMixedModel(wm.text, 'wellmixed').model, { runs: 300, seed: 7, tEnd: 10, steps: 20 });
    expect((await pageState(page)).csv).toBe(ensembleToCsv(stats));
    expect(errors).toEqual([]);
  });

  it('loads a closure file and draws its prediction and the baselines', async () => {
    await page.selectOption('#example', 'lotka-volterra');
    await setInput('seed', '3');
    await setInput('steps', '40');
    await page.click('#run');
    await page.waitForFunction(() => !(window as unknown as { srnPlayground: PageState }).srnPlayground.running);
    const plot0 = await canvasPixels(page, 'plot');
    // The file `srn-bench lv train` writes is serializeLearnedDbd's container; an untrained DBD is one too.
    const bytes = serializeLearnedDbd(createDbd({ machine: paperMachineSpec(40) }));
    await setInput('chains', '4');
    await setInput('points', '5');
    await page.setInputFiles('#closure-file', { name: 'model.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
    await page.waitForFunction(() => (window as unknown as { srnPlayground: PageState }).srnPlayground.curves.length > 0, undefined, { timeout: 30_000 });
    const curves = (await pageState(page)).curves;
    const times = Array.from({ length: 40 }, (_, t) => t);
    const expected = predictClosure({ bytes, times, chains: 4, maxRows: 5, seed: 3, rates: lotkaVolterraRatesOf(readLatticeModel(lvText)) });
    // Same curves as the library in Node. The Gibbs sampling is integer/compare arithmetic on the same streams and
    // matches exactly here; the baselines' ODE solutions go through Math.exp/pow, whose last bits may differ between
    // Node's V8 and Chromium's, so values are compared to 1e-9 relative (far below any visible difference).
    expect(curves.map((c) => [c.source, c.name, c.times])).toEqual(expected.curves.map((c) => [c.source, c.name, c.times]));
    curves.forEach((c, i) => {
      c.values.forEach((v, t) => {
        expect(Math.abs(v - expected.curves[i].values[t])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(v)));
      });
    });
    expect(new Set(curves.map((c) => c.source))).toEqual(new Set(['DBD (learned)', 'mean-field', 'pair approximation']));
    expect(fetched.filter((p) => /^\/chunks\/closure-[\w-]+\.js$/.test(p))).toHaveLength(1);
    await page.waitForFunction((before) => (document.getElementById('plot') as HTMLCanvasElement).toDataURL() !== before, plot0);
    const legend = (await page.textContent('#series-key')) ?? '';
    expect(legend).toContain('X DBD (learned)');
    expect(legend).toContain('X mean-field');
    // Toggling a predictor in the legend hides its line.
    const withAll = await canvasPixels(page, 'plot');
    await page.click('#series-key [data-series="DBD (learned):X"]');
    await page.waitForFunction((before) => (document.getElementById('plot') as HTMLCanvasElement).toDataURL() !== before, withAll);
    expect(errors).toEqual([]);
  });
});
