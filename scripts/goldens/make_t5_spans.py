"""T5's span-corruption arithmetic, ported line by line from
google-research/text-to-text-transfer-transformer t5/data/preprocessors.py
(random_spans_helper, random_spans_noise_mask, _random_segmentation) with numpy in place of TF:
float32 where TF computes in float32, np.round (half to even, as tf.round) and Python's round().
The shuffles come from numpy's generator and are written out with the masks, so the engine's
port (src/engine/objectives/t5-noise.ts) can be fed the same shuffled vectors.

  /usr/bin/python3 scripts/goldens/make_t5_spans.py   # writes tests/goldens/t5_spans.json
"""
import json
import os
import numpy as np


def random_spans_helper(inputs_length, noise_density, mean_noise_span_length,
                        extra_tokens_per_span_inputs=1, extra_tokens_per_span_targets=1):
    def _tokens_length_to_inputs_length_targets_length(tokens_length):
        num_noise_tokens = int(round(tokens_length * noise_density))
        num_nonnoise_tokens = tokens_length - num_noise_tokens
        num_noise_spans = int(round(num_noise_tokens / mean_noise_span_length))
        return (num_nonnoise_tokens + num_noise_spans * extra_tokens_per_span_inputs + 1,
                num_noise_tokens + num_noise_spans * extra_tokens_per_span_targets + 1)

    tokens_length = inputs_length - 1
    while _tokens_length_to_inputs_length_targets_length(tokens_length + 1)[0] <= inputs_length:
        tokens_length += 1
    inputs_length, targets_length = _tokens_length_to_inputs_length_targets_length(tokens_length)
    if noise_density == 0.5 and targets_length > inputs_length:
        tokens_length -= 1
        targets_length -= 1
    return tokens_length, targets_length


def random_spans_noise_mask(length, noise_density, rng, mean_noise_span_length=3.0):
    orig_length = length
    length = max(length, 2)
    num_noise_tokens = int(np.round(np.float32(length) * np.float32(noise_density)))
    num_noise_tokens = min(max(num_noise_tokens, 1), length - 1)
    num_noise_spans = int(np.round(np.float32(num_noise_tokens) / np.float32(mean_noise_span_length)))
    num_noise_spans = max(num_noise_spans, 1)
    num_nonnoise_tokens = length - num_noise_tokens
    shuffles = []

    def _random_segmentation(num_items, num_segments):
        shuffled = rng.permutation((np.arange(num_items - 1) < num_segments - 1).astype(np.int32))
        shuffles.append(shuffled.tolist())
        first_in_segment = np.pad(shuffled, [[1, 0]])
        segment_id = np.cumsum(first_in_segment)
        segment_length = np.bincount(segment_id)  # tf.math.segment_sum(ones, segment_id)
        return segment_length

    noise_span_lengths = _random_segmentation(num_noise_tokens, num_noise_spans)
    nonnoise_span_lengths = _random_segmentation(num_nonnoise_tokens, num_noise_spans)
    interleaved_span_lengths = np.stack([nonnoise_span_lengths, noise_span_lengths], axis=1).reshape(num_noise_spans * 2)
    span_starts = np.cumsum(interleaved_span_lengths)[:-1]
    span_start_indicator = np.zeros(length, np.int32)
    np.add.at(span_start_indicator, span_starts, 1)  # tf.math.unsorted_segment_sum
    span_num = np.cumsum(span_start_indicator)
    is_noise = np.equal(span_num % 2, 1)
    return is_noise[:orig_length], num_noise_tokens, num_noise_spans, shuffles


def main():
    rng = np.random.default_rng(13)
    helper = []
    for density, mean in [(0.15, 3.0), (0.5, 3.0), (0.3, 8.0), (0.15, 1.0)]:
        for inputs_length in list(range(4, 130)) + [256, 512, 568, 1024]:
            t, g = random_spans_helper(inputs_length, density, mean)
            helper.append({'inputsLength': inputs_length, 'density': density, 'meanSpan': mean, 'tokensLength': t, 'targetsLength': g})
    masks = []
    for density, mean in [(0.15, 3.0), (0.5, 3.0), (0.3, 8.0), (0.15, 1.0)]:
        for length in list(range(1, 60)) + [100, 114, 300, 568]:
            mask, noise, spans, shuffles = random_spans_noise_mask(length, density, rng, mean)
            masks.append({'length': length, 'density': density, 'meanSpan': mean, 'noise': noise, 'spans': spans,
                          'noiseBoundaries': shuffles[0], 'nonNoiseBoundaries': shuffles[1],
                          'mask': mask.astype(np.int32).tolist()})
    out = os.path.join(os.path.dirname(__file__), '..', '..', 'tests', 'goldens', 't5_spans.json')
    with open(out, 'w') as f:
        json.dump({'source': 'scripts/goldens/make_t5_spans.py (numpy port of t5/data/preprocessors.py)', 'helper': helper, 'masks': masks}, f, separators=(',', ':'))
    print('wrote', os.path.normpath(out), len(helper), 'helper cases,', len(masks), 'masks')


if __name__ == '__main__':
    main()
