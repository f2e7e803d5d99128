// Probes while an encoder-decoder trains: at each evaluation, the decoder's greedy output for a
// few fixed sources in the corpus's language (mlm-probes.ts's choice by script) — a corrupted
// sentence to reconstruct (bart: 天气[MASK]好。, t5-span: sentinels) or a sentence to translate
// (seq2seq) — read from the live parameters, appended to the run's probes.jsonl
// ({ step, probes: [{ source, output }] }) and sent as the evaluation's sample text.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Seq2SeqDecoder } from '../generate/seq2seq-decoder.ts';
import { translate } from '../generate/seq2seq-forward.ts';
import { PROBES_FILE, probesFor } from './mlm-probes.ts';
import type { EvalSampler, SamplerArgs } from './types.ts';

export type Seq2SeqProbeKind = 'bart' | 't5-span' | 'seq2seq';

const PROBES: Record<Seq2SeqProbeKind, { text: string; script: 'han' | 'latin' }[]> = {
  bart: [
    { text: '天气[MASK]好。', script: 'han' },
    { text: 'To be, or not to [MASK]: that is the question.', script: 'latin' },
  ],
  't5-span': [
    { text: '天气<extra_id_0>好。', script: 'han' },
    { text: 'To be, or not <extra_id_0>: that is the question.', script: 'latin' },
  ],
  seq2seq: [
    { text: '我爱你。', script: 'han' },
    { text: 'I love you.', script: 'latin' },
  ],
};

export class Seq2SeqProbeWriter implements EvalSampler {
  private fwd: Seq2SeqDecoder | null = null;
  readonly probes: string[];

  constructor(private readonly args: SamplerArgs, private readonly kind: Seq2SeqProbeKind) {
    this.probes = probesFor(args.tokenizer, PROBES[kind]);
  }

  async sample(step: number): Promise<{ prompt: string; text: string }> {
    const { ctx, layout, params, tokenizer, targetTokenizer, runDir, options } = this.args;
    this.fwd ??= new Seq2SeqDecoder(ctx, layout.config, params, layout); // KV-cached
    const maxLength = Math.max(1, Math.min(options.sampleTokens, layout.config.blockSize - 1));
    const results: { source: string; output: string }[] = [];
    for (const source of this.probes) {
      const out = await translate(this.fwd, { source: tokenizer, target: targetTokenizer ?? tokenizer }, source, { framing: this.kind === 't5-span' ? 'sep' : 'cls-sep', maxLength, beams: 1, lengthPenalty: 1 });
      results.push({ source, output: out.text });
    }
    if (runDir) appendFileSync(join(runDir, PROBES_FILE), JSON.stringify({ step, probes: results }) + '\n');
    return { prompt: '', text: results.map((r) => `${r.source}  →  ${r.output}`).join('\n') };
  }

  destroy(): void {
    this.fwd?.destroy();
    this.fwd = null;
  }
}
