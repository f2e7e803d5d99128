// Hugging Face checkpoints (GPT-2, BERT) from a local folder into run folders.
export { HF_ARCHITECTURES, planFromHfConfig, type HfFamily, type HfModelPlan } from './hf-config';
export { importTokenizer, type ImportedTokenizer } from './hf-tokenizer';
export { renameTensors, type Renamed } from './tensor-names';
export { IMPORT_FILE, importHfCheckpoint, layoutCheckpoint, type ImportOptions, type ImportSummary } from './import';
