// Text samples while a GPT trains: a KV-cache decoder reading the live parameter buffer (no
// copy), run at each evaluation with a seed fixed per step so the same checkpoint gives the same
// sample. Settings follow nanoGPT's sample.py: temperature 0.8, top-k 200, start from a newline.
import type { TrainOptions } from '../config/train-config';
import { mixSeed } from '../data';
import { generateText, KvDecoder, weightsFromFlat } from '../generate';
import type { GpuContext } from '../gpu/device';
import type { Tensor } from '../gpu/tensor';
import type { ParamLayout } from '../model/params';
import { EOS, type Tokenizer } from '../tokenizers';

export class SampleWriter {
  private decoder: KvDecoder | null = null;

  constructor(
    private readonly ctx: GpuContext,
    private readonly layout: ParamLayout,
    private readonly params: Tensor,
    private readonly tokenizer: Tokenizer,
    private readonly options: TrainOptions,
  ) {}

  async sample(step: number): Promise<{ prompt: string; text: string }> {
    this.decoder ??= new KvDecoder(this.ctx, weightsFromFlat(this.ctx, this.layout, this.params));
    const tok = this.tokenizer;
    const eosId = tok.tokenToId(EOS);
    const startId = eosId ?? tok.encode('\n')[0] ?? 0;
    const prompt = this.options.samplePrompt;
    // Bound: TextStream calls decode as a plain function.
    const codec = { encode: (t: string) => tok.encode(t), decode: (ids: readonly number[]) => tok.decode(ids) };
    const result = await generateText(this.decoder, codec, {
      prompt, maxNewTokens: this.options.sampleTokens, temperature: 0.8, topK: 200,
      seed: mixSeed(this.options.seed, step, 7), startId, eosId,
    });
    return { prompt, text: result.text };
  }

  destroy(): void {
    this.decoder?.destroy();
    this.decoder = null;
  }
}
