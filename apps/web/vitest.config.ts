import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

/** The shared settings, plus `.lattice` model files imported as text (as the esbuild bundle's `text` loader does). */
export default mergeConfig(shared, {
  plugins: [
    {
      name: 'lattice-as-text',
      transform(code: string, id: string) {
        return id.endsWith('.lattice') ? { code: `export default ${JSON.stringify(code)};`, map: null } : null;
      },
    },
  ],
});
