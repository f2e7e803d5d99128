// Ctrl-C in a training command: the first asks the run to finish its step and save (stop), a second
// one a second later exits at once; SIGTERM stops as the first does. Returns whether it was interrupted.
export function stopOnInterrupt(stop: () => void, saving: string): () => boolean {
  let interruptedAt = 0;
  process.on('SIGINT', () => {
    if (interruptedAt && Date.now() - interruptedAt > 1000) {
      process.stderr.write('\nsecond Ctrl-C: exiting without a checkpoint\n');
      process.exit(130);
    }
    if (interruptedAt) return; // the same Ctrl-C delivered twice (terminal and a parent)
    interruptedAt = Date.now();
    process.stderr.write(`\nCtrl-C: finishing the current step and ${saving} (Ctrl-C again to quit at once)\n`);
    stop();
  });
  process.on('SIGTERM', () => stop());
  return () => interruptedAt > 0;
}
