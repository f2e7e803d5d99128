// The Prompt tab's state over a fake transport: streamed prompt.tokens events of its own
// generation (not another's) build the text, the reply replaces it, Cancel names the running id;
// the classification panel's label and K parsing refuse bad lines by name.
import { describe, expect, it } from 'vitest';
import type { CommandName, ReplyOutcome, StudioEvent, StudioTransport } from '../../../src/protocol/index.ts';
import { StudioApi } from '../../../src/renderer/api/studio-api.ts';
import { parseInts, parseLabels } from '../../../src/renderer/state/prompt-classify.svelte.ts';
import { PromptState } from '../../../src/renderer/state/prompt.svelte.ts';

function fakeTransport() {
  const listeners = new Set<(e: StudioEvent) => void>();
  const sent: { type: CommandName; params: unknown }[] = [];
  let finish: (o: ReplyOutcome) => void = () => undefined;
  const transport: StudioTransport = {
    kind: 'browser',
    request: (type, params) => {
      sent.push({ type, params });
      if (type === 'prompt.cancel') return Promise.resolve({ ok: true, result: { cancelled: true } });
      return new Promise<ReplyOutcome>((resolve) => (finish = resolve));
    },
    onEvent: (l) => { listeners.add(l); return () => listeners.delete(l); },
  };
  return { transport, sent, emit: (e: StudioEvent) => listeners.forEach((l) => l(e)), finish: (o: ReplyOutcome) => finish(o), listeners };
}

describe('PromptState', () => {
  it('streams its own events, keeps the reply, cancels by id, and sends the settings', async () => {
    const fake = fakeTransport();
    const ps = new PromptState(new StudioApi(fake.transport));
    ps.runDir = '/runs/gpt';
    ps.prompt = 'Once';
    ps.settings.stop = 'END\n\\n\\n';
    ps.settings.seed = 4;
    const done = ps.generate();
    const { params } = fake.sent[0] as { params: { generationId: string; stop: string[]; seed: number } };
    expect(params.stop).toEqual(['END', '\n\n']);
    expect(params.seed).toBe(4);
    fake.emit({ type: 'prompt.tokens', generationId: params.generationId, index: 0, ids: [5, 6], text: ' upon' });
    fake.emit({ type: 'prompt.tokens', generationId: 'someone-else', index: 0, ids: [9], text: 'X' });
    fake.emit({ type: 'prompt.tokens', generationId: params.generationId, index: 2, ids: [7], text: ' a' });
    expect(ps.text).toBe(' upon a');
    expect(ps.ids).toEqual([5, 6, 7]);
    expect(ps.running).toBe(true);
    await ps.cancel();
    expect(fake.sent[1]).toEqual({ type: 'prompt.cancel', params: { generationId: params.generationId } });
    fake.finish({ ok: true, result: { generationId: params.generationId, step: 3, text: ' upon a', reason: 'aborted', seed: 4, tokensPerSecond: 10, seconds: 0.3, prompt: [{ id: 1, token: 'Once' }], generated: [5, 6, 7].map((id) => ({ id, token: `t${id}` })) } });
    await done;
    expect(ps.running).toBe(false);
    expect(ps.result?.reason).toBe('aborted');
    expect(fake.listeners.size).toBe(0);
  });
});

describe('classification panel parsing', () => {
  it('reads class=word lines with the word verbatim and refuses bad ones', () => {
    expect(parseLabels('0= negative\n1= positive\n')).toEqual({ classes: ['0', '1'], words: [' negative', ' positive'] });
    expect(() => parseLabels('0 negative\n1= positive')).toThrow(/label line 1 \('0 negative'\): expected <class>=<word>/);
    expect(() => parseLabels('0= bad')).toThrow(/at least two/);
    expect(parseInts('0, 1, 2,4', 'K values')).toEqual([0, 1, 2, 4]);
    expect(() => parseInts('0, -1', 'K values')).toThrow(/K values: whole numbers/);
  });
});
