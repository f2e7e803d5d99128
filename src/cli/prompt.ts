// `npm run prompt -- <generate | zero-shot | few-shot | show> --run runs/<gpt> …`: prompting a GPT
// run without changing its weights. generate streams text; zero-shot and few-shot classify a
// labeled file by label-word likelihood (or generation plus matching) and print accuracy and
// macro-F1 per K; show prints the exact few-shot prompt for one text. Escapes \n and \t are read in
// --template, --label and --separator.
import { join, resolve } from 'node:path';
import { parseArgs } from '../engine/config/args.ts';
import { generate, loadDecoder } from '../engine/generate/index.ts';
import { buildPrompt, evaluatePrompting, readLabeledFile, selectDemonstrations, type PromptFormat, type ShotResult } from '../engine/prompt/index.ts';
import { latestCheckpoint, listCheckpoints } from '../engine/runstore/checkpoints.ts';
import { EOS, loadTokenizer } from '../engine/tokenizers/index.ts';
import { readRunConfig, TOKENIZER_FILE } from '../engine/train/index.ts';
import { openGpu, runWithDriver } from './driver.ts';

const DEFAULTS = {
  run: '', checkpoint: -1, driver: 'auto', json: false, help: false,
  // generate
  prompt: '', maxNewTokens: 100, temperature: 0.8, topK: 50, topP: 1, repetitionPenalty: 1, stop: [] as string[], seed: -1,
  // classification
  data: '', textColumn: '', labelColumn: 'label', offset: 0, limit: 200, pool: '', demos: '',
  template: '{text}', label: [] as string[], separator: '\\n\\n',
  method: 'likelihood', normalize: false, calibrate: false, contentFree: 'N/A',
  shots: '', seeds: '1', order: 'shuffled', text: '', k: 1,
};

const HELP = `Usage: npm run prompt -- <mode> --run <GPT run folder> [options]

Modes:
  generate    stream text after --prompt (as npm run generate)
  zero-shot   classify --data by label-word likelihood, no demonstrations
  few-shot    the same with K demonstrations per class, for each K of --shots [0,1,2,4,8]
  show        print the exact few-shot prompt for --text with --k demonstrations per class

Common:
  --run <dir>             a GPT run (objective clm, trained here or imported with npm run import)
  --checkpoint <step>     which checkpoints/step-N; -1 = the latest [-1]
  --driver <d>            Vulkan driver: auto | native | lavapipe | swiftshader | <icd.json> [auto]
  --json                  one JSON object on stdout

generate: --prompt <text> --maxNewTokens [100] --temperature [0.8] --topK [50] --topP [1]
          --repetitionPenalty [1] --stop <s…> --seed [-1 = random]

Classification:
  --data <file>           labeled .csv / .tsv / .jsonl (text column: text, sentence, review …)
  --textColumn / --labelColumn   column names [auto / label]
  --offset <n> --limit <n>       which rows of --data to evaluate [0, 200]
  --template <t>          the prompt around each text; {text} marks it ['{text}']
                          e.g. 'Review: {text}\\nSentiment:'  or  '{text} 这句话的情感是：'
  --label <class=word>    one per class, the word appended verbatim (mind the leading space):
                          --label '0= negative' --label '1= positive'
  --method <m>            likelihood | generate (greedy text matched to the words) [likelihood]
  --normalize             divide a word's log-probability by its token count
  --calibrate             subtract the scores of a content-free input (--contentFree [N/A])
  --pool <file>           where demonstrations come from [--data, minus the evaluated rows]
  --demos <file>          demonstrations by hand, in order (instead of a seeded choice)
  --shots <list>          K per class, comma-separated [zero-shot: 0; few-shot: 0,1,2,4,8]
  --seeds <list>          seeds for choosing demonstrations; results are averaged [1]
  --order <o>             shuffled | grouped (class by class) [shuffled]
  --separator <s>         between demonstrations ['\\n\\n']
`;

function fail(message: string, code = 2): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

const unescape = (s: string) => s.replace(/\\(n|t|\\)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
const ints = (s: string, what: string) => s.split(',').filter((x) => x.trim() !== '').map((x) => {
  const n = Number(x);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${what}: '${x}' is not a whole number >= 0`);
  return n;
});

function formatOf(o: typeof DEFAULTS): PromptFormat {
  if (o.label.length < 2) throw new Error("give one --label '<class>=<word>' per class, at least two (see --help)");
  const pairs = o.label.map((l) => {
    const eq = l.indexOf('=');
    if (eq <= 0) throw new Error(`--label '${l}': expected <class>=<word>`);
    return [l.slice(0, eq), unescape(l.slice(eq + 1))] as const;
  });
  return { template: unescape(o.template), classes: pairs.map((p) => p[0]), words: pairs.map((p) => p[1]), separator: unescape(o.separator) };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
const std = (xs: number[]) => Math.sqrt(mean(xs.map((v) => (v - mean(xs)) ** 2)));

function report(results: ShotResult[], format: PromptFormat, log: (s: string) => void): void {
  const ks = [...new Set(results.map((r) => r.k))];
  log(`${'K'.padStart(3)}  ${'accuracy'.padEnd(16)}  ${'macro-F1'.padEnd(16)}  seeds  cut`);
  for (const k of ks) {
    const rs = results.filter((r) => r.k === k);
    const acc = rs.map((r) => r.metrics.accuracy), f1 = rs.map((r) => r.metrics.macroF1);
    const spread = (xs: number[]) => (xs.length > 1 ? ` ± ${(100 * std(xs)).toFixed(1)}` : '');
    log(`${String(k).padStart(3)}  ${(pct(mean(acc)) + spread(acc)).padEnd(16)}  ${(pct(mean(f1)) + spread(f1)).padEnd(16)}  ${String(rs.length).padStart(5)}  ${rs.reduce((s, r) => s + r.cutExamples, 0)}`);
  }
  const r0 = results[results.length - 1];
  log(`\nclasses ${format.classes.map((c, i) => `${c}=${JSON.stringify(format.words[i])}`).join(', ')}; ${r0.metrics.n} examples; confusion at K=${r0.k} (rows true, columns predicted): ${JSON.stringify(r0.metrics.confusion)}`);
  log(`prompt of the first example at K=${r0.k}${r0.seed ? `, seed ${r0.seed}` : ''}:\n---\n${r0.examplePrompt}\n---`);
  for (const r of results) for (const c of r.cuts) log(`K=${r.k} seed ${r.seed}: ${c}`);
}

async function main(): Promise<void> {
  let o: typeof DEFAULTS;
  let mode: string;
  try {
    const parsed = parseArgs(process.argv.slice(2), DEFAULTS, ['help', 'json', 'normalize', 'calibrate']);
    o = parsed.values;
    if (o.help) { process.stdout.write(HELP); process.exit(0); }
    if (parsed.positional.length !== 1) throw new Error(`expected one mode (generate, zero-shot, few-shot, show), got ${parsed.positional.length ? parsed.positional.join(' ') : 'none'} (see --help)`);
    mode = parsed.positional[0];
    if (!['generate', 'zero-shot', 'few-shot', 'show'].includes(mode)) throw new Error(`unknown mode '${mode}' (generate, zero-shot, few-shot, show)`);
    if (!['likelihood', 'generate'].includes(o.method)) throw new Error(`--method must be likelihood or generate, got '${o.method}'`);
    if (!['shuffled', 'grouped'].includes(o.order)) throw new Error(`--order must be shuffled or grouped, got '${o.order}'`);
  } catch (err) {
    fail((err as Error).message);
  }
  if (!o.run) fail('no run folder: pass --run runs/<name> (see --help)');
  const runDir = resolve(o.run);
  let model, step: number | undefined, format: PromptFormat | null = null;
  try {
    model = readRunConfig(runDir).pretrain_studio.model;
    if (model.kind !== 'decoder') throw new Error(`${runDir} holds an ${model.kind} model; prompting needs a GPT (decoder)`);
    step = o.checkpoint >= 0 ? o.checkpoint : latestCheckpoint(runDir);
    if (step === undefined || !listCheckpoints(runDir).includes(step)) throw new Error(`${runDir} has no checkpoint ${step === undefined ? 'yet' : `step-${step}`} (it has: ${listCheckpoints(runDir).join(', ') || 'none'})`);
    if (mode !== 'generate') format = formatOf(o);
  } catch (err) {
    fail((err as Error).message, 1);
  }
  const tok = await loadTokenizer(join(runDir, TOKENIZER_FILE));
  const codec = { encode: (t: string) => tok.encode(t), decode: (ids: readonly number[]) => tok.decode(ids) };
  const eosId = tok.tokenToId(EOS);
  const log = (s: string) => process.stderr.write(s + '\n');

  if (mode === 'show') {
    if (!o.data && !o.demos) fail('show needs --data (demonstrations chosen from it) or --demos');
    const pool = readLabeledFile(resolve(o.demos || o.pool || o.data), { ...(o.textColumn ? { textColumn: o.textColumn } : {}), labelColumn: o.labelColumn });
    const demos = o.demos ? pool : selectDemonstrations(pool, format!.classes, o.k, ints(o.seeds, 'seeds')[0] ?? 1, o.order as 'shuffled' | 'grouped');
    const built = buildPrompt(codec, format!, demos, o.text, model.blockSize - Math.max(...format!.words.map((w) => codec.encode(w).length)) + 1);
    if (o.json) process.stdout.write(JSON.stringify(built) + '\n');
    else process.stdout.write(`${built.text}\n---\n${built.ids.length} tokens of ${model.blockSize}${built.cut.length ? `; ${built.cut.join('; ')}` : ''}\n`);
    return;
  }

  await runWithDriver(o.driver);
  const ctx = await openGpu(log);
  const decoder = loadDecoder(ctx, model, join(runDir, 'checkpoints', `step-${step}`, 'model.safetensors'));
  const abort = new AbortController();
  process.on('SIGINT', () => abort.abort());
  try {
    if (mode === 'generate') {
      process.stdout.write(o.prompt);
      for await (const e of generate(decoder, codec, {
        prompt: o.prompt, maxNewTokens: o.maxNewTokens, temperature: o.temperature, topK: o.topK, topP: o.topP,
        repetitionPenalty: o.repetitionPenalty, stop: o.stop, eosId, startId: eosId ?? tok.encode('\n')[0],
        ...(o.seed >= 0 ? { seed: o.seed } : {}), signal: abort.signal,
      })) {
        if (e.type === 'token') process.stdout.write(e.text);
        else { process.stdout.write(e.tail + '\n'); log(`step-${step}: ${e.tokens.length} tokens (${e.reason}) at ${e.tokensPerSecond.toFixed(1)} tokens/s, seed ${e.seed}`); }
      }
      return;
    }
    if (!o.data) fail(`${mode} needs --data <labeled file> (see --help)`);
    const columns = { ...(o.textColumn ? { textColumn: o.textColumn } : {}), labelColumn: o.labelColumn };
    const all = readLabeledFile(resolve(o.data), columns);
    const examples = all.slice(o.offset, o.offset + o.limit);
    if (examples.length === 0) fail(`${o.data}: no rows from offset ${o.offset} (it has ${all.length})`);
    const evaluated = new Set(examples.map((e) => e.line));
    const pool = o.pool ? readLabeledFile(resolve(o.pool), columns) : all.filter((e) => !evaluated.has(e.line));
    const shots = o.shots ? ints(o.shots, 'shots') : mode === 'zero-shot' ? [0] : [0, 1, 2, 4, 8];
    if (mode === 'zero-shot' && shots.some((k) => k > 0)) fail('zero-shot uses no demonstrations: use few-shot for --shots above 0');
    const started = performance.now();
    const results = await evaluatePrompting(decoder, codec, examples, pool, {
      format: format!, method: o.method as 'likelihood' | 'generate', normalize: o.normalize, calibrate: o.calibrate, contentFree: unescape(o.contentFree),
      shots, seeds: ints(o.seeds, 'seeds'), order: o.order as 'shuffled' | 'grouped',
      ...(o.demos ? { demonstrations: readLabeledFile(resolve(o.demos), columns) } : {}), ...(eosId !== undefined ? { eosId } : {}), signal: abort.signal,
      onProgress: (done, total) => { if (done % 50 === 0 || done === total) log(`${done}/${total} prompts scored`); },
    });
    log(`step-${step}, ${examples.length} examples (rows ${o.offset}..${o.offset + examples.length - 1} of ${o.data}), ${o.method}${o.normalize ? ', length-normalised' : ''}${o.calibrate ? ', calibrated' : ''}, ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (o.json) process.stdout.write(JSON.stringify({ step, results: results.map(({ predictions, ...r }) => (void predictions, r)) }) + '\n');
    report(results, format!, o.json ? log : (s) => process.stdout.write(s + '\n'));
  } catch (err) {
    fail((err as Error).message, 1);
  } finally {
    decoder.destroy();
  }
}

void main().then(() => process.exit(0));
