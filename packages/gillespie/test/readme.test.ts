import { describeReadmeExamples } from '../../../scripts/readme-examples.mjs';

// Every TypeScript example of the README runs as written (each sized to take seconds).
describeReadmeExamples(new URL('..', import.meta.url));
