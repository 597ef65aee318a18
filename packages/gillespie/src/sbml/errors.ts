/**
 * Errors of the SBML importer. Both extend `ModelError`, so callers that already catch model errors keep working.
 *
 * @packageDocumentation
 */
import { ModelError } from '../errors.ts';

/**
 * An SBML document that is malformed or invalid (bad XML, a missing id, a reference to an undefined species or
 * parameter, an invalid expression, ...). `element` is the SBML element kind and `elementId` its id when known.
 *
 * @example
 * ```ts
 * try { loadSbml('<sbml'); } catch (e) { if (e instanceof SbmlError) console.error(e.element, e.elementId, e.message); }
 * ```
 */
export class SbmlError extends ModelError {
  override name = 'SbmlError';
  /** The SBML element kind (`species`, `reaction`, `event`, `xml`, ...). */
  readonly element: string;
  /** The id of the offending element, if it has one. */
  readonly elementId: string | undefined;

  constructor(element: string, elementId: string | undefined, detail: string) {
    super(`${element}${elementId === undefined ? '' : ` '${elementId}'`}: ${detail}`);
    this.element = element;
    this.elementId = elementId;
  }
}

/**
 * A valid SBML construct that this simulator does not support (delays, algebraic rules, rate rules, fast
 * reactions, the distrib package, time-varying rates other than step changes, ...).
 *
 * @example
 * ```ts
 * try { loadSbml(xmlWithDelay); } catch (e) { if (e instanceof SbmlUnsupportedError) console.error(e.message); }
 * ```
 */
export class SbmlUnsupportedError extends SbmlError {
  override name = 'SbmlUnsupportedError';
}
