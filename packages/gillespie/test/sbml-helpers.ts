/** Builders for small SBML documents used by the sbml-*.test.ts files. */

/** Wraps model content in an `<sbml><model>` of the given level and version. */
export function sbml(body: string, level = 3, version = 2): string {
  const ns = level === 3 ? `http://www.sbml.org/sbml/level3/version${version}/core` : `http://www.sbml.org/sbml/level2/version${version}`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<sbml xmlns="${ns}" level="${level}" version="${version}">\n<model id="m">\n${body}\n</model>\n</sbml>\n`;
}

/** A `<math>` element. */
export function math(inner: string): string {
  return `<math xmlns="http://www.w3.org/1998/Math/MathML">${inner}</math>`;
}

/** `<apply><op/>args</apply>`. */
export function apply(op: string, ...args: string[]): string {
  return `<apply><${op}/>${args.join('')}</apply>`;
}

export const ci = (name: string): string => `<ci> ${name} </ci>`;
export const cn = (value: number | string): string => `<cn> ${value} </cn>`;
export const time = '<csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/time"> t </csymbol>';

/** One compartment `C` (size given) and species as `id=amount`. */
export function compartmentAndSpecies(species: Record<string, number>, size = 1, hosu = true): string {
  const list = Object.entries(species)
    .map(([id, amount]) => `<species id="${id}" compartment="C" initialAmount="${amount}" hasOnlySubstanceUnits="${hosu}" boundaryCondition="false" constant="false"/>`)
    .join('\n');
  return `<listOfCompartments><compartment id="C" size="${size}" constant="true"/></listOfCompartments>\n<listOfSpecies>${list}</listOfSpecies>`;
}

/** A reaction with reactants/products as `{ X: 1 }` and a kinetic law. */
export function reaction(id: string, reactants: Record<string, number>, products: Record<string, number>, law: string, locals = ''): string {
  const side = (terms: Record<string, number>) =>
    Object.entries(terms).map(([s, n]) => `<speciesReference species="${s}" stoichiometry="${n}" constant="true"/>`).join('');
  return `<reaction id="${id}" reversible="false">
  ${Object.keys(reactants).length ? `<listOfReactants>${side(reactants)}</listOfReactants>` : ''}
  ${Object.keys(products).length ? `<listOfProducts>${side(products)}</listOfProducts>` : ''}
  <kineticLaw>${math(law)}${locals}</kineticLaw>
</reaction>`;
}

/** An event without delay. */
export function event(id: string, trigger: string, assignments: Record<string, string>, extra = '', triggerAttrs = 'initialValue="false" persistent="true"'): string {
  const list = Object.entries(assignments).map(([v, m]) => `<eventAssignment variable="${v}">${math(m)}</eventAssignment>`).join('');
  return `<event id="${id}" useValuesFromTriggerTime="true"><trigger ${triggerAttrs}>${math(trigger)}</trigger>${extra}<listOfEventAssignments>${list}</listOfEventAssignments></event>`;
}
