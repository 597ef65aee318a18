/** Moved to src/closure/report-stage.ts (the generalised pipeline); kept for importers of the old path (apps/web tests). */
export * from '../closure/report-stage.ts';
