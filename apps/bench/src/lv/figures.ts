/** Moved to src/closure/figures.ts (the generalised pipeline); kept for importers of the old path (apps/web tests). */
export * from '../closure/figures.ts';
