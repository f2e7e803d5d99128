// How the attention explorer frames an encoder-decoder's sentence (inspect/sentences.ts): a
// "source => target" pair or a sentence that is its own target, encoder and decoder inputs as the
// objectives' collators build their rows (BART / seq2seq: [CLS] source [SEP]; T5 spans: source
// [SEP]; the decoder: [CLS] target), cut to the context length.
import { beforeAll, expect, test } from 'vitest';
import { framePair, splitPair } from '../../../src/engine/inspect/sentences';
import { CLS, SEP, trainTokenizer, type Tokenizer } from '../../../src/engine/tokenizers';

let tok: Tokenizer;
beforeAll(async () => {
  tok = await trainTokenizer(['the cat sat on the mat 猫在垫子上'], { kind: 'char', vocabSize: 200 });
});

test('pairs split at " => "; a sentence alone is its own target', () => {
  expect(splitPair('The cat => 猫')).toEqual({ source: 'The cat', target: '猫' });
  expect(splitPair('the mat')).toEqual({ source: 'the mat', target: 'the mat' });
});

test('BART and seq2seq rows: [CLS] source [SEP] → [CLS] target; T5 spans: source [SEP]', () => {
  const cls = tok.tokenToId(CLS)!, sep = tok.tokenToId(SEP)!;
  const cat = tok.encode('cat'), mao = tok.encode('猫');
  expect(framePair(tok, 'cat => 猫', 32, 'seq2seq')).toEqual({ source: [cls, ...cat, sep], target: [cls, ...mao] });
  expect(framePair(tok, 'cat', 32, 'bart')).toEqual({ source: [cls, ...cat, sep], target: [cls, ...cat] });
  expect(framePair(tok, 'cat', 32, 't5-span')).toEqual({ source: [...cat, sep], target: [cls, ...cat] });
  // Cut to the context: the encoder keeps its [SEP], the decoder its start.
  const cut = framePair(tok, 'the cat sat', 5, 'bart');
  expect(cut.source).toEqual([cls, ...tok.encode('the'), sep]);
  expect(cut.target).toEqual([cls, ...tok.encode('the ')]);
  expect(() => framePair(tok, 'cat => ', 32)).toThrow(/no tokens on one side/);
});
