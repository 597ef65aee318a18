/**
 * Playground benchmark (not a test): in Chromium, time to interactive, the 40 x 40 lattice Lotka-Volterra animation
 * (frames per second and snapshots per frame against the display's own requestAnimationFrame rate), and the bundle
 * size. With `--screenshots DIR` it also saves the README's screenshots (`--closure model.bin` adds a learned-closure
 * overlay to the ensemble screenshot).
 *
 *   npx tsx --conditions=@srn/source bench/playground.ts [--loads 3] [--screenshots docs] [--closure out/lv/train/model.bin]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { launchChromium, servePlayground } from '../test/browser.ts';

const { values } = parseArgs({ options: { loads: { type: 'string', default: '3' }, screenshots: { type: 'string' }, closure: { type: 'string' } } });
const loads = Number(values.loads);
type Profile = { shown: number; workerMs: number; latticeMs: number; chartMs: number; legendMs: number };
type PageState = { recorded: number; running: boolean; frames: number; ticks: number; stepsAdvanced: number; startedAt: number; firstShownAt: number; finishedAt: number; csv: string; curves: unknown[]; profile: Profile };
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const site = await servePlayground();
const browser = await launchChromium();
try {
  const files = (readdirSync(site.dir, { recursive: true }) as string[]).filter((f) => statSync(`${site.dir}/${f}`).isFile()).sort();
  const size = (f: string) => statSync(`${site.dir}/${f}`).size;
  console.log(`load average at start: ${loadAverage()}`);
  console.log(`bundle: ${files.map((f) => `${f} ${(size(f) / 1024).toFixed(1)} KiB`).join(', ')}; total ${(files.reduce((a, f) => a + size(f), 0) / 1024).toFixed(1)} KiB`);
  const interactive: number[] = [];
  const firstFrame: number[] = [];
  const fps: Record<string, number[]> = { uniform: [], 'row-biased': [] };
  const perFrame: Record<string, number[]> = { uniform: [], 'row-biased': [] };
  const display: number[] = [];
  /** Share of the display frames during a run that showed new snapshots, and the display's rate during the run. */
  const shownShare: number[] = [];
  const runDisplay: number[] = [];
  const profiles: Record<string, Profile[]> = { uniform: [], 'row-biased': [] };
  for (let i = 0; i < loads; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const fetched = new Set<string>();
    page.on('request', (request) => fetched.add(new URL(request.url()).pathname.slice(1)));
    await page.goto(site.url);
    await page.waitForFunction(() => (document.getElementById('editor') as HTMLTextAreaElement).value.length > 0);
    // Interactive: the page has loaded its script, filled the editor and answers input (ms since navigation start).
    interactive.push(await page.evaluate(() => performance.now()));
    // The display's frame rate in this browser: requestAnimationFrame callbacks over one second, page idle.
    // (A string, not a function: the TypeScript loader would wrap named inner functions in a helper the page lacks.)
    display.push(
      (await page.evaluate(`new Promise((resolve) => {
        let n = 0;
        const t0 = performance.now();
        const tick = () => {
          n++;
          if (performance.now() - t0 < 1000) requestAnimationFrame(tick);
          else resolve((n * 1000) / (performance.now() - t0));
        };
        requestAnimationFrame(tick);
      })`)) as number,
    );
    await page.fill('#per-frame', '10');
    await page.fill('#steps', '3000'); // a longer run than the file's 500 snapshots, for a steadier rate
    let line = `load ${i + 1}: interactive ${interactive[i].toFixed(0)} ms, display ${display[i].toFixed(1)} Hz`;
    for (const picks of ['uniform', 'row-biased'] as const) {
      await page.selectOption('#selection', picks);
      await page.click('#run');
      await page.waitForFunction(() => (window as unknown as { srnPlayground: PageState }).srnPlayground.recorded > 1);
      if (picks === 'uniform') firstFrame.push(await page.evaluate(() => performance.now() - (window as unknown as { srnPlayground: PageState }).srnPlayground.startedAt));
      await page.waitForFunction(() => !(window as unknown as { srnPlayground: PageState }).srnPlayground.running, undefined, { timeout: 120_000 });
      const s = (await page.evaluate(() => (window as unknown as { srnPlayground: PageState }).srnPlayground)) as PageState;
      // The animation's rate: frames shown after the first one, over the time from the first to the last (the
      // start-up before the first frame, reading the model in the worker, is the "first frame" figure).
      const seconds = (s.finishedAt - s.firstShownAt) / 1000;
      fps[picks].push((s.frames - 1) / seconds);
      perFrame[picks].push(s.stepsAdvanced / s.frames);
      profiles[picks].push(s.profile);
      shownShare.push(s.frames / s.ticks);
      runDisplay.push((s.ticks * 1000) / (s.finishedAt - s.startedAt));
      line += `; ${picks} picks: ${s.frames} frames with new snapshots (of ${s.ticks} display frames), ${s.frames - 1} frames in ${seconds.toFixed(2)} s after the first = ${((s.frames - 1) / seconds).toFixed(1)} fps, ${(s.stepsAdvanced / s.frames).toFixed(1)} snapshots per frame`;
    }
    console.log(`${line}; first frame ${firstFrame[i].toFixed(0)} ms after Run`);
    const lattice = [...fetched].filter((f) => files.includes(f));
    console.log(`  fetched for the lattice runs: ${lattice.join(', ')} = ${(lattice.reduce((a, f) => a + size(f), 0) / 1024).toFixed(1)} KiB`);
    for (const picks of ['uniform', 'row-biased'] as const) {
      const p = profiles[picks][i];
      const per = (ms: number) => (ms / p.shown).toFixed(2);
      console.log(`  ${picks}: per shown frame, worker ${per(p.workerMs)} ms computing, page ${per(p.latticeMs)} ms lattice + ${per(p.chartMs)} ms chart + ${per(p.legendMs)} ms legend`);
    }
    await page.close();
  }
  console.log(`load average at end: ${loadAverage()}`);
  console.log(
    `display frames during the runs that showed new snapshots: ${(100 * Math.min(...shownShare)).toFixed(1)}-${(100 * Math.max(...shownShare)).toFixed(1)} %; ` +
      `requestAnimationFrame rate during the runs ${Math.min(...runDisplay).toFixed(1)}-${Math.max(...runDisplay).toFixed(1)} Hz`,
  );
  console.log(
    `median of ${loads}: interactive ${median(interactive).toFixed(0)} ms; first frame ${median(firstFrame).toFixed(0)} ms after Run; display ${median(display).toFixed(1)} Hz; 40 x 40 LV (3000 snapshots) ` +
      `uniform picks ${median(fps.uniform).toFixed(1)} fps at ${median(perFrame.uniform).toFixed(1)} snapshots per frame, row-biased picks ${median(fps['row-biased']).toFixed(1)} fps at ${median(perFrame['row-biased']).toFixed(1)}`,
  );

  if (values.screenshots) {
    const dir = values.screenshots;
    const page = await browser.newPage({ viewport: { width: 1280, height: 980 } });
    await page.goto(site.url);
    await page.waitForFunction(() => (document.getElementById('editor') as HTMLTextAreaElement).value.length > 0);
    await page.fill('#per-frame', '2');
    await page.click('#run');
    await page.waitForFunction(() => (window as unknown as { srnPlayground: PageState }).srnPlayground.recorded >= 150);
    await page.screenshot({ path: `${dir}/playground-live.png` });
    await page.click('#stop');
    if (values.closure) {
      // The quick preset's model (srn-bench lv all --preset quick) is trained on a 20 x 20 lattice over 200 steps.
      const text = (await page.inputValue('#editor'))
        .replace('lattice: 40 x 40, periodic', 'lattice: 20 x 20, periodic')
        .replace('steps = 500', 'steps = 200')
        .replace('counts X = 100, Y = 100', 'counts X = 25, Y = 25');
      await page.fill('#editor', text);
      await page.fill('#chains', '100');
    }
    await page.fill('#runs', '50');
    await page.fill('#per-frame', '10');
    await page.click('#ensemble');
    await page.waitForFunction(() => (window as unknown as { srnPlayground: PageState }).srnPlayground.csv.length > 0, undefined, { timeout: 300_000 });
    await page.waitForFunction(() => !(window as unknown as { srnPlayground: PageState }).srnPlayground.running, undefined, { timeout: 120_000 });
    if (values.closure) {
      await page.setInputFiles('#closure-file', values.closure);
      await page.waitForFunction(() => (window as unknown as { srnPlayground: PageState }).srnPlayground.curves.length > 0, undefined, { timeout: 300_000 });
    }
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${dir}/playground-ensemble.png` });
    await page.selectOption('#example', 'barw-1d');
    await page.fill('#steps', '');
    await page.click('#run');
    await page.waitForFunction(() => !(window as unknown as { srnPlayground: PageState }).srnPlayground.running, undefined, { timeout: 120_000 });
    await page.selectOption('#example', 'lotka-volterra');
    await page.fill('#editor', (await page.inputValue('#editor')).replace('Y -> 0 @ 0.06', 'Y -> 0 @ 0.06 0.1'));
    await page.click('#run');
    await page.waitForSelector('#error:not([hidden])');
    await page.screenshot({ path: `${dir}/playground-error.png` });
    console.log(`screenshots in ${dir}`);
  }
} finally {
  await browser.close();
  await site.stop();
}
