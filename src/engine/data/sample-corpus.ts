// The built-in sample corpus (assets/sample-corpus/, made by scripts/make-sample-corpus.ts).
// Import these files, not the folder: the folder also holds its README.md.
export const SAMPLE_CORPUS_FILES = ['sample-en.txt', 'sample-zh.txt', 'sample-reviews.tsv', 'sample-reviews-zh.csv'] as const;
