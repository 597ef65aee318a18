/** Model files bundled as text by the build (esbuild's `text` loader). */
declare module '*.lattice' {
  const text: string;
  export default text;
}
