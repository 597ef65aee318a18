import { describe, expect, it } from 'vitest';
import { ArgumentError, ArgumentTypeError, createRng, parseModel, simulate, simulateEnsemble } from '../src/index.ts';
import { loadSbml } from '../src/sbml.ts';
import { compartmentAndSpecies, sbml } from './sbml-helpers.ts';

const model = parseModel('X -> 0 @ 1\nX = 3');

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('argument errors are typed and stay RangeError / TypeError', () => {
  it('names the argument of a value out of range', () => {
    const error = caught(() => simulate(model, { tEnd: 1, steps: 0, rng: createRng(1) }));
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as ArgumentError).argument).toBe('steps');
    expect((error as Error).name).toBe('ArgumentError');
    const method = caught(() => simulateEnsemble(model, { runs: 2, seed: 1, tEnd: 1, method: 'euler' as never }));
    expect((method as ArgumentError).argument).toBe('method');
  });

  it('names the argument of a wrong type', () => {
    const error = caught(() => parseModel(42 as never));
    expect(error).toBeInstanceOf(ArgumentTypeError);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as ArgumentTypeError).argument).toBe('text');
    expect((caught(() => simulate(model, { tEnd: 1, rng: {} as never })) as ArgumentTypeError).argument).toBe('rng');
  });

  it('loadSbml: an unknown species in options.concentrations is an ArgumentError (was a raw RangeError)', () => {
    const error = caught(() => loadSbml(sbml(compartmentAndSpecies({ X: 1 })), { concentrations: ['Q'] }));
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as ArgumentError).argument).toBe('options.concentrations');
    expect((error as Error).message).toBe("options.concentrations: unknown species 'Q' (known: X)");
  });
});
