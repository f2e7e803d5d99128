// Fill-mask probes while a BERT trains: at each evaluation, the top-5 predictions for a few fixed
// sentences in the corpus's language, read from the live parameters (no copy), appended to the
// run's probes.jsonl ({ step, probes: [{ text, masks: [{ position, candidates }] }] }) and sent as
// the evaluation's sample text. The language is judged from the tokenizer's vocabulary (what the
// corpus taught it): a probe is used when its script makes up a fifth of the vocabulary and it
// encodes without [UNK].
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { EncoderForward, fillMask, type MaskPrediction } from '../inspect/fill-mask.ts';
import { UNK, type Tokenizer } from '../tokenizers/index.ts';
import type { EvalSampler, SamplerArgs } from './types.ts';

export const PROBES_FILE = 'probes.jsonl';
export const PROBE_TOP_K = 5;

export const DEFAULT_PROBES: readonly { text: string; script: 'han' | 'latin' }[] = [
  { text: '巴黎是法国的首都。埃菲尔铁塔位于[MASK]。', script: 'han' },
  { text: '猫在垫子上[MASK]觉。', script: 'han' },
  { text: 'The capital of France is [MASK].', script: 'latin' },
];

/** The probes that suit this tokenizer's corpus (at least one: the majority script's). */
export function probesFor(tok: Tokenizer, candidates: readonly { text: string; script: 'han' | 'latin' }[] = DEFAULT_PROBES): string[] {
  let han = 0, latin = 0;
  for (let i = 0; i < tok.vocabSize; i++) {
    if (tok.isSpecial(i)) continue;
    const t = tok.idToToken(i) ?? '';
    if (/\p{Script=Han}/u.test(t)) han++;
    else if (/[A-Za-z]/.test(t)) latin++;
  }
  const total = Math.max(1, han + latin);
  const unk = tok.tokenToId(UNK);
  const fits = (p: (typeof DEFAULT_PROBES)[number]) => (p.script === 'han' ? han : latin) / total >= 0.2 && (unk === undefined || !tok.encode(p.text).includes(unk));
  const chosen = candidates.filter(fits);
  const major = han >= latin ? 'han' : 'latin';
  return (chosen.length ? chosen : candidates.filter((p) => p.script === major)).map((p) => p.text);
}

export interface ProbeResult {
  text: string;
  masks: MaskPrediction[];
}

export class ProbeWriter implements EvalSampler {
  private encoder: EncoderForward | null = null;
  readonly probes: string[];

  constructor(private readonly args: SamplerArgs) {
    this.probes = probesFor(args.tokenizer);
  }

  async sample(step: number): Promise<{ prompt: string; text: string }> {
    const { ctx, layout, params, tokenizer, runDir } = this.args;
    this.encoder ??= new EncoderForward(ctx, layout.config, params);
    const results: ProbeResult[] = [];
    for (const text of this.probes) {
      const r = await fillMask(this.encoder, tokenizer, text, PROBE_TOP_K);
      results.push({ text, masks: r.masks });
    }
    if (runDir) appendFileSync(join(runDir, PROBES_FILE), JSON.stringify({ step, probes: results }) + '\n');
    const lines = results.map((r) => `${r.text}  →  ${r.masks.map((m) => m.candidates.map((c) => `${c.text} ${(c.probability * 100).toFixed(1)}%`).join(', ')).join(' | ')}`);
    return { prompt: '', text: lines.join('\n') };
  }

  destroy(): void {
    this.encoder?.destroy();
    this.encoder = null;
  }
}
