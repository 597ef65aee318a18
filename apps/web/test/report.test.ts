import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { momentsSpec, phasePlaneSpec, renderFigure } from '@srn/bench/src/lv/figures.ts';
import { toHtml } from '@srn/bench/src/lv/report-stage.ts';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectErrors, launchChromium } from './browser.ts';

// report.html as the LV pipeline's report stage writes it (its toHtml and renderFigure), with a moments figure
// (five predictors, three panels) and a phase-plane figure made from deterministic curves.
let browser: Browser;
let dir: string;
let html: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'srn-report-'));
  const times = Array.from({ length: 60 }, (_, t) => t);
  const curve = (a: number, b: number) => Float64Array.from(times, (t) => a + b * Math.sin(t / 7));
  const series = {
    simulation: { X: curve(100, 30), NN_XX: curve(20, 8), NNN_XY: curve(40, 10) },
    'learned-raw': { X: curve(98, 31), NN_XX: curve(21, 8), NNN_XY: curve(39, 11) },
    'learned-filtered': { X: curve(99, 30), NN_XX: curve(20, 7), NNN_XY: curve(40, 10) },
    'mean-field': { X: curve(110, 20), NN_XX: curve(25, 5), NNN_XY: curve(45, 6) },
    pair: { X: curve(105, 25), NN_XX: curve(22, 6), NNN_XY: curve(42, 8) },
  };
  const moments = await renderFigure(dir, 'moments', 'Moments on held-out data', momentsSpec(times, ['X', 'NN_XX', 'NNN_XY'], series, 'held-out'));
  const phase = await renderFigure(dir, 'phase', 'Phase plane', phasePlaneSpec([{ label: 'simulation', X: curve(100, 30), Y: curve(80, 20) }]));
  html = toHtml(
    [
      { kind: 'h', level: 1, text: 'report' },
      { kind: 'figure', figure: moments },
      { kind: 'figure', figure: phase },
    ],
    'test report',
  );
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('interactive report.html', () => {
  it('is one file that needs no network, keeps the static SVG, and names the PNG/spec files', () => {
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href="http/);
    expect(html).toContain('<svg');
    expect(html).toContain('figures/moments.png');
  });

  it('opens offline in Chromium, renders every chart, shows values on hover, zooms and toggles predictors', async () => {
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    const errors = collectErrors(page);
    const requests: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('file:') && !request.url().startsWith('data:')) requests.push(request.url());
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => document.querySelectorAll('.chart[data-interactive="true"]').length === 2, undefined, { timeout: 20_000 });
    // Each live chart is Vega's own SVG with the series drawn (line paths).
    const paths = await page.evaluate(() => document.querySelectorAll('.chart[data-figure="moments"] path.mark-line, .chart[data-figure="moments"] .mark-line path').length);
    expect(paths).toBeGreaterThanOrEqual(15); // 5 predictors x 3 panels

    // Hover: Vega's tooltip handler puts the hovered item's values into the title of the chart.
    const point = await page.evaluate(() => {
      const path = document.querySelector('.chart[data-figure="moments"] .mark-line path') as SVGPathElement;
      const p = path.getPointAtLength(path.getTotalLength() / 3);
      const m = path.getScreenCTM()!;
      return { x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f };
    });
    await page.mouse.move(point.x, point.y);
    await page.waitForTimeout(150);
    const hovered = await page.evaluate(() =>
      [...document.querySelectorAll('.chart[data-figure="moments"] [title], .chart[data-figure="moments"]')].map((e) => e.getAttribute('title') ?? '').join(' '),
    );
    expect(hovered).toMatch(/series/);

    // Zoom: a wheel event over a panel changes its x scale's domain.
    const domainBefore = await page.evaluate(async () => {
      const view = await (window as unknown as { srnCharts: Record<string, Promise<{ scale: (name: string) => { domain: () => number[] } }>> }).srnCharts.moments;
      return JSON.stringify(view.scale('x').domain());
    });
    const panel = page.locator('.chart[data-figure="moments"] svg').first();
    const pbox = (await panel.boundingBox())!;
    await page.mouse.move(pbox.x + 150, pbox.y + 120);
    await page.mouse.wheel(0, -400);
    await page.waitForTimeout(200);
    const domainAfter = await page.evaluate(async () => {
      const view = await (window as unknown as { srnCharts: Record<string, Promise<{ scale: (name: string) => { domain: () => number[] } }>> }).srnCharts.moments;
      return JSON.stringify(view.scale('x').domain());
    });
    expect(domainAfter).not.toBe(domainBefore);

    // Legend toggle: clicking a predictor's legend entry dims the others.
    const dimmedBefore = await page.evaluate(() => [...document.querySelectorAll('.chart[data-figure="moments"] .mark-line path')].filter((p) => Number(p.getAttribute('opacity') ?? p.getAttribute('stroke-opacity') ?? 1) < 0.5).length);
    await page.locator('.chart[data-figure="moments"] .role-legend-label text').first().click();
    await page.waitForTimeout(200);
    const dimmedAfter = await page.evaluate(() => [...document.querySelectorAll('.chart[data-figure="moments"] .mark-line path')].filter((p) => Number(p.getAttribute('opacity') ?? p.getAttribute('stroke-opacity') ?? 1) < 0.5).length);
    expect(dimmedBefore).toBe(0);
    expect(dimmedAfter).toBe(12); // the other four predictors in three panels
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
  });
});
