// A LoRA fine-tune as Hugging Face PEFT saves one (peft's save_pretrained): beside the run's full
// model.safetensors, each checkpoint folder gets
//   adapter_model.safetensors  the adapters' A and B and the trained head, named as PEFT's
//                              get_peft_model_state_dict names them: 'base_model.model.' + the
//                              module path, e.g. base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight,
//                              base_model.model.classifier.weight (modules_to_save, adapter name dropped)
//   adapter_config.json        peft_type LORA, task_type SEQ_CLS, r, lora_alpha, lora_dropout,
//                              target_modules (every adapted module by full name, so PEFT's
//                              exact-name match hits nothing else), modules_to_save, fan_in_fan_out
//                              (true for GPT-2's Conv1D, whose weight is [in, out])
// BERT's fused q|k|v needs no splitting: its adapters are laid out per query/key/value already.
import { join } from 'node:path';
import { writeSafetensors } from '../io/safetensors';
import { loraSites } from '../model/lora';
import type { ParamLayout } from '../model/params';
import { writeJsonAtomic } from '../runstore/atomic';

export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';
export const ADAPTER_CONFIG = 'adapter_config.json';
const PREFIX = 'base_model.model.';

/** PEFT's modules_to_save of a ...ForSequenceClassification: the head (and BERT's pooler, which trains with it; BART's classification_head). */
function modulesToSave(layout: ParamLayout): string[] {
  const kind = layout.config.kind;
  return kind === 'encoder' ? ['classifier', 'pooler'] : kind === 'decoder' ? ['score'] : ['classification_head'];
}

/** The tensors PEFT would save: every trainable tensor of the layout (adapters and head), PEFT-named. */
export function peftTensors(layout: ParamLayout, params: Float32Array): Map<string, { shape: number[]; data: Float32Array }> {
  if (!layout.lora) throw new Error('peftTensors: this layout has no LoRA adapters');
  const saved = modulesToSave(layout);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const slab of layout.slabs) {
    if (layout.frozen.has(slab.key)) continue;
    for (const p of slab.parts) {
      // Whatever trains besides the adapters must be a module PEFT saves, or the adapter file would be incomplete.
      if (slab.role !== 'adapter' && !saved.some((m) => p.name.split('.').includes(m))) {
        throw new Error(`peftTensors: ${p.name} trains but is neither an adapter nor in modules_to_save (${saved.join(', ')})`);
      }
      out.set(PREFIX + p.name, { shape: p.shape, data: params.slice(p.offset, p.offset + p.numel) });
    }
  }
  return out;
}

/** adapter_config.json for the layout's adapters on the model at `baseModel`. */
export function peftConfig(layout: ParamLayout, baseModel: string): Record<string, unknown> {
  const spec = layout.lora;
  if (!spec) throw new Error('peftConfig: this layout has no LoRA adapters');
  return {
    peft_type: 'LORA',
    task_type: 'SEQ_CLS',
    base_model_name_or_path: baseModel,
    r: spec.rank,
    lora_alpha: spec.alpha,
    lora_dropout: spec.dropout,
    target_modules: [...new Set(loraSites(layout.config, spec).map((s) => s.module))],
    modules_to_save: modulesToSave(layout),
    fan_in_fan_out: layout.config.kind === 'decoder',
    bias: 'none',
    use_rslora: false,
    init_lora_weights: true,
    inference_mode: true,
  };
}

/** Writes adapter_model.safetensors and adapter_config.json into `dir` (a checkpoint folder). */
export function writePeftAdapter(dir: string, layout: ParamLayout, params: Float32Array, baseModel: string): void {
  writeSafetensors(join(dir, ADAPTER_WEIGHTS), peftTensors(layout, params), { format: 'pt' });
  writeJsonAtomic(join(dir, ADAPTER_CONFIG), peftConfig(layout, baseModel));
}

