/**
 * Lattice model files (text and JSON), their one schema and JSON Schema, the formatter and the configuration
 * builder. No expression parser is loaded.
 *
 * @packageDocumentation
 */
export * from './errors.ts';
export * from './schema.ts';
export * from './parse.ts';
export * from './format.ts';
export * from './config.ts';
