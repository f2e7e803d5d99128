// README.md of a torch export: what is in the folder, how to launch it (torchrun, Slurm) and how
// to bring the results back. Generated so its numbers (steps, batch, tokens) are the run's own.
import type { StudioBlock } from '../train/hf-config';

export interface ReadmeFacts {
  studio: StudioBlock;
  step: number;
  tokens: number;
  trainTokens: number;
  valTokens: number;
}

/** How the rows are drawn, per objective (src/engine/objectives/mlm-collator.ts for BERT). */
function dataOrder(studio: StudioBlock): string {
  const o = studio.options;
  const masking = `${o.wholeWordMask ? 'whole words' : 'single tokens'} masked (15%: 80% [MASK], 10% random, 10% kept)`;
  if (studio.objective === 'mlm+nsp') return `BERT pairs [CLS] A [SEP] B [SEP] from the documents' sentences (B the continuation or another document's, the NSP label), ${masking}, drawn as the engine's collator draws them`;
  if (studio.objective === 'mlm') return `BERT rows [CLS] span [SEP] (no NSP), ${masking}, drawn as the engine's collator draws them`;
  return `windows of ${o.blockSize + 1} tokens at uniform offsets`;
}

export function torchReadme({ studio, step, tokens, trainTokens, valTokens }: ReadmeFacts): string {
  const o = studio.options;
  const m = studio.model;
  const perStep = o.batchSize * o.blockSize * o.gradAccum;
  return `# ${o.name || 'Pretrain Studio run'}: continue on PyTorch

Exported by Pretrain Studio at step ${step} of ${o.steps}: a ${m.nLayer}-layer ${m.kind === 'encoder' ? 'BERT' : 'GPT'} (width ${m.nEmbd}, ${m.nHead} heads,
context ${m.blockSize}, vocabulary ${m.vocabSize}, ${studio.parameters} parameters), objective \`${studio.objective}\`.
${tokens} tokens (${trainTokens} train, ${valTokens} validation); each step takes ${o.gradAccum} micro-batch(es) of
${o.batchSize} x ${o.blockSize} tokens = ${perStep} tokens.

## Run

Needs Python 3 with PyTorch >= 1.13 and numpy (for a GPT with biases \`transformers\`' GPT-2 is used
when installed; otherwise, and for BERT, a compact PyTorch model with the engine's math).

\`\`\`sh
torchrun --standalone --nproc_per_node 2 train.py              # DDP, 2 processes on this machine
torchrun --nnodes 1 --nproc_per_node 8 train.py --fsdp         # FSDP (torch >= 2.1)
python train.py --steps 20000                                  # one process; train longer (cosine over 20000)
python train.py --stop-at ${step + 100}                                 # stop early, same schedule
\`\`\`

Several nodes (run on each; \`MASTER\` is the first node's address):

\`\`\`sh
torchrun --nnodes 4 --nproc_per_node 8 --rdzv_backend c10d --rdzv_endpoint $MASTER:29500 --rdzv_id run1 train.py
\`\`\`

Slurm (\`sbatch train.sbatch\`):

\`\`\`sh
#!/bin/bash
#SBATCH --job-name=pretrain-studio
#SBATCH --nodes=4
#SBATCH --ntasks-per-node=1
#SBATCH --gpus-per-node=8
#SBATCH --cpus-per-task=32
MASTER=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
srun torchrun --nnodes "$SLURM_NNODES" --nproc_per_node 8 \\
  --rdzv_backend c10d --rdzv_endpoint "$MASTER:29500" --rdzv_id "$SLURM_JOB_ID" train.py
\`\`\`

On Debian 12 (torch 1.13 with Python 3.11) torchrun's default \`--redirects\`/\`--tee\` values fail to
parse (Python 3.11's IntFlag change, "'NoneType' object has no attribute 'get'"): add \`--redirects 0:1 --tee 0:1\`
(rank 0's output teed to a log file and the console), or use torch >= 2.

The batch size (${o.batchSize}) must divide by the number of processes: each rank takes its slice of the
same global micro-batch, so any number of processes trains the same model. A restarted job continues
from the newest \`checkpoints/step-N\` in this folder.

## What is reproduced

- data order: the engine's sampler (mulberry32 seeded by (seed ${o.seed}, draw index)), ported exactly;
  ${dataOrder(studio)} from the training ranges in \`data/index.json\`
- learning rate: ${o.schedule === 'constant' ? 'constant' : `warmup ${o.warmupSteps} steps, then ${o.schedule} from ${o.lr} to ${o.minLr} over --steps`}
- AdamW: betas (${o.beta1}, ${o.beta2}), eps 1e-8, weight decay ${o.weightDecay} on the tensors \`export.json\` marks
  \`decay\` (matrices and embeddings), none on norms and biases; the moments and step continue from the engine
- gradient clipping at ${o.gradClip || 'off'}, gradient accumulation ${o.gradAccum}
${m.dropout > 0 ? `- dropout ${m.dropout}: PyTorch draws its own masks (same distribution, not the same bits)\n` : ''}
## Files

| file | what |
| --- | --- |
| config.json, model.safetensors, tokenizer.json | the model, Hugging Face layout (\`${m.kind === 'encoder' ? (studio.objective === 'mlm+nsp' ? 'BertForPreTraining' : 'BertForMaskedLM') : 'GPT2LMHeadModel'}.from_pretrained(".")\`) |
| optimizer.safetensors, state.json | AdamW \`<name>.exp_avg\`, \`<name>.exp_avg_sq\`, \`step\`; the checkpoint's data position |
| export.json | source run, step, every parameter with its shape and decay group |
| data/tokens-*.bin, data/index.json | token ids, \`numpy.memmap(f, dtype=index["dtype"], mode="r")\`; train/val ranges |
| data/docs.bin | uint64 start of each document in the token stream, plus the end |
| data/train-documents.bin, val-documents.bin | int32 corpus indices of each split's documents |${m.kind === 'encoder' ? `
| data/sent-start.bin, sent-end.bin, doc-sentences.bin, word-start.bin | BERT's sentence and word index as the engine computed it (\`textUnits\` in data/index.json; absent when the collator reads none) |` : ''}
| checkpoints/step-N/, metrics.jsonl | written by train.py in the run's own format |

## Bring it back

\`\`\`sh
npm run import-run -- <this folder>                 # into the run it came from (or --into runs/<name>)
npm run train -- --resume runs/<name>               # continue locally
\`\`\`
`;
}
