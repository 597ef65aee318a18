/** The examples offered in the page: the lattice model files bundled with @srn/gillespie, a DSL model, an SBML file. */
import annihilation from '../../../packages/gillespie/examples/lattice/annihilation-1d.lattice';
import barw from '../../../packages/gillespie/examples/lattice/barw-1d.lattice';
import enzyme from '../../../packages/gillespie/examples/lattice/enzyme-1d.lattice';
import lotkaVolterra from '../../../packages/gillespie/examples/lattice/lotka-volterra.lattice';
import rossler from '../../../packages/gillespie/examples/lattice/rossler-3d.lattice';
import type { ModelKind } from './engine.ts';

/** An example model. */
export interface Example {
  id: string;
  label: string;
  kind: ModelKind;
  text: string;
  /** Well-mixed: end time. */
  tEnd?: number;
}

const wellMixedLv = `# Well-mixed Lotka-Volterra (the @srn/gillespie README's example)
X -> 2 X @ 1.0          # prey birth
X + Y -> 2 Y @ 0.005    # predation
Y -> 0 @ 0.6            # predator death
X = 50
Y = 100
`;

const birthDeathSbml = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Birth-death process: 0 -> X at k1, X -> 0 at k2 * X; stationary mean k1 / k2 = 50 -->
<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" level="3" version="1">
  <model id="birth_death">
    <listOfCompartments>
      <compartment id="cell" size="1" constant="true"/>
    </listOfCompartments>
    <listOfSpecies>
      <species id="X" compartment="cell" initialAmount="0" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/>
    </listOfSpecies>
    <listOfParameters>
      <parameter id="k1" value="10" constant="true"/>
      <parameter id="k2" value="0.2" constant="true"/>
    </listOfParameters>
    <listOfReactions>
      <reaction id="birth" reversible="false">
        <listOfProducts><speciesReference species="X" stoichiometry="1" constant="true"/></listOfProducts>
        <kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML"><ci>k1</ci></math></kineticLaw>
      </reaction>
      <reaction id="death" reversible="false">
        <listOfReactants><speciesReference species="X" stoichiometry="1" constant="true"/></listOfReactants>
        <kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><ci>k2</ci><ci>X</ci></apply></math></kineticLaw>
      </reaction>
    </listOfReactions>
  </model>
</sbml>
`;

/**
 * The examples in the page's menu, the first one loaded at start.
 *
 * @example
 * ```ts
 * const lv = EXAMPLES.find((e) => e.id === 'lotka-volterra')!;
 * readLatticeModel(lv.text);
 * ```
 */
export const EXAMPLES: Example[] = [
  { id: 'lotka-volterra', label: 'Lattice Lotka-Volterra 40 x 40 (2-D)', kind: 'lattice', text: lotkaVolterra },
  { id: 'barw-1d', label: 'Branching-annihilating random walk (1-D)', kind: 'lattice', text: barw },
  { id: 'annihilation-1d', label: 'A + A annihilation (1-D)', kind: 'lattice', text: annihilation },
  { id: 'enzyme-1d', label: 'Enzyme kinetics (1-D)', kind: 'lattice', text: enzyme },
  { id: 'rossler-3d', label: 'Lattice Rössler oscillator (3-D)', kind: 'lattice', text: rossler },
  { id: 'wellmixed-lv', label: 'Well-mixed Lotka-Volterra (DSL)', kind: 'wellmixed', text: wellMixedLv, tEnd: 10 },
  { id: 'sbml-birth-death', label: 'Birth-death (SBML)', kind: 'sbml', text: birthDeathSbml, tEnd: 50 },
];
