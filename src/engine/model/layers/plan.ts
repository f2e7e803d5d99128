// Typed activation structs cut from the two arenas (llm.c's ActivationTensors): a layer plans its
// tensors once under a prefix and gets back a struct of their NAMES with the shape of its typed
// struct; `bind` turns that into the struct of tensors after allocation. Names never leave here:
// model code reads `acts.norm1.out`, not strings.
import type { Tensor } from '../../gpu/tensor';
import type { Arena, ArenaPlan } from '../arena';

/** The struct `T` with every tensor replaced by its arena name (optional tensors stay optional). */
export type Names<T> = {
  [K in keyof T]: NonNullable<T[K]> extends Tensor ? string : Names<NonNullable<T[K]>>;
};

type Plain = { [k: string]: Plain | string | undefined };

/** The tensors named in `names`, in the same struct shape. */
export function bind<T>(arena: Arena, names: Names<T>): T {
  const walk = (n: Plain | string | undefined): unknown => {
    if (n === undefined) return undefined;
    if (typeof n === 'string') return arena.get(n);
    return Object.fromEntries(Object.entries(n).map(([k, v]) => [k, walk(v)]));
  };
  return walk(names as unknown as Plain) as T;
}

/** The two arenas a graph plans into: activations (forward) and activation gradients (backward scratch). */
export interface Plans {
  a: ArenaPlan;
  d: ArenaPlan;
}
