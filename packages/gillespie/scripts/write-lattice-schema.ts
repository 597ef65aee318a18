/**
 * Writes schema/lattice-model.schema.json from the zod schema of lattice model files
 * (`npm run schema`; test/lattice-model-file.test.ts fails when the committed file is stale).
 */
import { writeFileSync } from 'node:fs';
import { latticeModelJsonSchema } from '../src/lattice/model-file/schema.ts';

writeFileSync(new URL('../schema/lattice-model.schema.json', import.meta.url), `${JSON.stringify(latticeModelJsonSchema(), null, 2)}\n`);
