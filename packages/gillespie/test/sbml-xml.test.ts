import { describe, expect, it } from 'vitest';
import { loadSbml, SbmlError } from '../src/sbml.ts';
import { compartmentAndSpecies, sbml } from './sbml-helpers.ts';

const doc = sbml(compartmentAndSpecies({ X: 1 }));
const lines = doc.split('\n');

function message(text: string): string {
  try {
    loadSbml(text);
  } catch (error) {
    expect(error).toBeInstanceOf(SbmlError);
    return (error as Error).message;
  }
  throw new Error('expected an SbmlError');
}

describe('XML errors give the real line and column', () => {
  it('points at the end of a document truncated inside nested elements (was line 1, column 1)', () => {
    // Cut in the middle of the species list: <sbml>, <model> and <listOfSpecies> are open.
    const cut = doc.indexOf('<species ');
    const text = doc.slice(0, cut);
    const last = text.split('\n');
    expect(message(text)).toBe(
      `xml: malformed XML at line ${last.length}, column ${last[last.length - 1].length + 1}: the document ends while <sbml> > <model> > <listOfSpecies> are still open (is the file truncated?)`,
    );
  });

  it('points at the end of a document whose root element is not closed', () => {
    const text = doc.slice(0, doc.lastIndexOf('</sbml>'));
    expect(message(text)).toMatch(new RegExp(`^xml: malformed XML at line ${lines.length - 1}, column 1: the document ends while <sbml> \\(opened at line 2, column 1\\) is still open`));
  });

  it('never says "column undefined" (a document without elements)', () => {
    for (const text of ['<!-- nothing -->', '<?xml version="1.0"?>\n\n']) {
      const m = message(text);
      expect(m).not.toMatch(/undefined/);
      expect(m).toMatch(/^xml: malformed XML at line \d+, column \d+: /);
    }
    expect(message('<?xml version="1.0"?>\n\n')).toMatch(/line 3, column 1/);
  });

  it('keeps the validator position where it is right', () => {
    expect(message('<sbml>\n  <x>\n</y></sbml>')).toMatch(/^xml: malformed XML at line 3, column 1: Expected closing tag 'x'/);
  });
});
