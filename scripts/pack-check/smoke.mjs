// The smoke example of the release check: run under plain `node` in a scratch project that installed the packed
// tarballs with npm (no workspace, no TypeScript loader, no source condition). Exits non-zero on any failure.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '@srn/gillespie/rng';
import { createChains, createMachine, randomizeChains } from '@srn/boltzmann';
import { createFunction } from '@srn/fem-basis';
import { lotkaVolterraLattice, simulateLattice } from '@srn/gillespie/lattice';
import * as closure from '@srn/closure';
import { parseModel, simulateEnsemble } from '@srn/gillespie';
import { simulateEnsembleParallel } from '@srn/gillespie/node';
import { loadSbml } from '@srn/gillespie/sbml';

// Well-mixed SSA: exponential decay, E[X(t)] = 100 e^{-t}; the mean of 400 runs is within 5 SD of it.
const decay = parseModel('X -> 0 @ 1\nX = 100');
const stats = simulateEnsemble(decay, { runs: 400, seed: 1, tEnd: 1, steps: 2 });
const expected = 100 * Math.exp(-1);
const sd = Math.sqrt(100 * Math.exp(-1) * (1 - Math.exp(-1)) / 400);
assert.ok(Math.abs(stats.mean[2] - expected) < 5 * sd, `decay mean ${stats.mean[2]} vs ${expected}`);
// Worker threads from the installed package give the same numbers.
const parallel = await simulateEnsembleParallel(decay, { runs: 400, seed: 1, tEnd: 1, steps: 2, workers: 2 });
assert.deepEqual(Array.from(parallel.mean), Array.from(stats.mean));

// SBML import.
const sbml = `<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
  <model id="decay">
    <listOfCompartments><compartment id="c" size="1" constant="true"/></listOfCompartments>
    <listOfSpecies><species id="X" compartment="c" initialAmount="10" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/></listOfSpecies>
    <listOfParameters><parameter id="k" value="1" constant="true"/></listOfParameters>
    <listOfReactions><reaction id="r" reversible="false">
      <listOfReactants><speciesReference species="X" stoichiometry="1" constant="true"/></listOfReactants>
      <kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><ci>k</ci><ci>X</ci></apply></math></kineticLaw>
    </reaction></listOfReactions>
  </model>
</sbml>`;
assert.ok(loadSbml(sbml), 'SBML model loaded');

// Lattice Lotka-Volterra, a few steps on a small lattice.
const lattice = simulateLattice(lotkaVolterraLattice({ size: 8, steps: 3 }), createRng(2));
assert.equal(lattice.counts.length, lattice.times.length * 2); // X and Y per time point

// Boltzmann machine chains, fed by the gillespie RNG through the structural RandomSource type.
const rbm = createMachine({
  layers: [{ name: 'v', shape: [8], states: ['on'] }, { name: 'h', shape: [3], states: ['on'] }],
  connections: [{ kind: 'dense', lower: 'v', upper: 'h' }],
  parameterization: 'per-unit',
});
const states = createChains(rbm, 2);
randomizeChains(rbm, states, createRng(3));

// Finite elements and the closure package load and evaluate.
assert.equal(typeof createFunction, 'function');
assert.ok(Object.keys(closure).length > 10);

// The CLI installed as a bin.
const bin = join(process.cwd(), 'node_modules', '.bin', 'srn-bench');
const { version } = JSON.parse(readFileSync(join(process.cwd(), 'node_modules', '@srn', 'bench', 'package.json'), 'utf8'));
assert.equal(execFileSync(bin, ['--version'], { encoding: 'utf8' }), `${version}\n`);
const work = mkdtempSync(join(tmpdir(), 'srn-smoke-'));
writeFileSync(join(work, 'decay.srn'), 'X -> 0 @ 1\nX = 100\n');
execFileSync(bin, ['simulate', join(work, 'decay.srn'), '--runs', '20', '--t-end', '1', '--steps', '2', '--workers', '2', '--out', join(work, 'out')]);
assert.match(readFileSync(join(work, 'out', 'moments.csv'), 'utf8'), /^time,X-mean,X-sd\n/);

console.log('smoke example passed');
