// The trainable scopes a person can pick, as the Fine-tune tab lists them: one entry per Scope
// kind of scope.ts, in the order shown. A new kind is one more line here; its text is parsed
// by parseScope like the others ('head', 'top:2', 'all').
import type { Scope } from './scope';

export interface ScopeChoice {
  kind: Scope['kind'];
  label: string;
  /** What trains, for the person choosing. */
  description: string;
  /** The choice takes a number of top layers (written 'top:N'). */
  takesLayers: boolean;
}

export const SCOPE_CHOICES: readonly ScopeChoice[] = [
  { kind: 'head', label: 'Head only', description: 'the classification head (and a BERT pooler); the body stays frozen', takesLayers: false },
  { kind: 'top', label: 'Top N layers', description: 'the head and the top N transformer layers', takesLayers: true },
  { kind: 'all', label: 'All layers', description: 'every weight of the model', takesLayers: false },
  { kind: 'lora', label: 'LoRA adapters', description: 'low-rank adapters (rank, alpha, on the attention projections or every linear layer) and the head; every base weight stays frozen, bit for bit', takesLayers: false },
];

/** The text parseScope reads for a choice ('top:N' takes its layer count). */
export function scopeText(kind: string, layers: number): string {
  const choice = SCOPE_CHOICES.find((c) => c.kind === kind);
  if (!choice) throw new Error(`unknown scope '${kind}' (one of ${SCOPE_CHOICES.map((c) => c.kind).join(', ')})`);
  return choice.takesLayers ? `${kind}:${layers}` : kind;
}
