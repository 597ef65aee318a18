export * from './element.ts';
export * from './function.ts';
export * from './grid.ts';
export * from './store.ts';
export * from './fit.ts';
export * from './serialize.ts';
