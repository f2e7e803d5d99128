#!/usr/bin/python3
"""Tiny Hugging Face checkpoint folders for the importer's tests, with reference logits.

Run with Debian's torch (CPU):  /usr/bin/python3 scripts/goldens/make_hf_import.py
Writes tests/fixtures/hf/<case>/ exactly as a user's download looks (config.json, model.safetensors,
tokenizer files) and tests/fixtures/hf/<case>.reference.safetensors (the input ids and the logits
the model gives them, float64 math stored as float32).

transformers is not installed here, so the checkpoints follow its parameter names and the math of
modeling_gpt2.py / modeling_bert.py written out below, as functions of the state dict (no module
classes: the names ARE the model):
  gpt2  GPT2LMHeadModel as the Hub's `gpt2` stores it: names without the `transformer.` prefix,
        Conv1D weights [in, out], the causal-mask buffers `h.N.attn.bias` / `h.N.attn.masked_bias`,
        tanh GELU ('gelu_new'), tied lm_head (absent); vocab.json + merges.txt (byte-level BPE)
  bert  BertForPreTraining as `bert-base-chinese` stores it: `bert.` prefix, LayerNorm.gamma/beta
        (the TF-era names), the `bert.embeddings.position_ids` buffer, pooler + NSP head, erf GELU,
        token types; tokenizer.json (WordPiece, Chinese characters, lowercase off)
"""
import json
import math
import os
import struct

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'fixtures', 'hf')
DT = torch.float64
CODES = {np.dtype('float32'): 'F32', np.dtype('int32'): 'I32', np.dtype('int64'): 'I64', np.dtype('float16'): 'F16'}
RANK = {'F16': 11, 'I32': 13, 'F32': 15, 'I64': 17}


def write_safetensors(path, tensors, metadata):
    """safetensors by hand (no safetensors package for torch 1.13 here); order as the Rust writer."""
    items = sorted(((-RANK[CODES[a.dtype]], n, np.ascontiguousarray(a)) for n, a in tensors.items()), key=lambda t: (t[0], t[1]))
    header, blobs, offset = {'__metadata__': metadata}, [], 0
    for _, name, arr in items:
        data = arr.astype(arr.dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': CODES[arr.dtype], 'shape': list(arr.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def write_json(path, obj):
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write('\n')


def gelu(x, kind):
    if kind == 'gelu_new':  # GPT-2's tanh approximation
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))  # BERT's 'gelu'


def ln(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def heads_attention(q, k, v, n_head, causal):
    """q, k, v (T, C) -> (T, C); scores scaled by 1/sqrt(head dim) as both models do."""
    T, C = q.shape
    D = C // n_head
    q, k, v = (t.view(T, n_head, D).transpose(0, 1) for t in (q, k, v))  # (nh, T, D)
    att = q @ k.transpose(-2, -1) / math.sqrt(D)
    if causal:
        att = att.masked_fill(~torch.tril(torch.ones(T, T, dtype=torch.bool)), float('-inf'))
    return (torch.softmax(att, -1) @ v).transpose(0, 1).reshape(T, C)


# ---------------------------------------------------------------------------------------------
# GPT-2 (modeling_gpt2.GPT2LMHeadModel), keyed by the Hub's unprefixed names.

def gpt2_forward(sd, cfg, ids):
    g = lambda n: sd[n].to(DT)  # noqa: E731
    T = len(ids)
    x = g('wte.weight')[ids] + g('wpe.weight')[:T]
    eps, C, H = cfg['layer_norm_epsilon'], cfg['n_embd'], cfg['n_head']
    for l in range(cfg['n_layer']):
        p = f'h.{l}.'
        h = ln(x, g(p + 'ln_1.weight'), g(p + 'ln_1.bias'), eps)
        qkv = h @ g(p + 'attn.c_attn.weight') + g(p + 'attn.c_attn.bias')  # Conv1D: x @ W[in, out] + b
        q, k, v = qkv.split(C, dim=-1)
        x = x + heads_attention(q, k, v, H, causal=True) @ g(p + 'attn.c_proj.weight') + g(p + 'attn.c_proj.bias')
        h = ln(x, g(p + 'ln_2.weight'), g(p + 'ln_2.bias'), eps)
        h = gelu(h @ g(p + 'mlp.c_fc.weight') + g(p + 'mlp.c_fc.bias'), cfg['activation_function'])
        x = x + h @ g(p + 'mlp.c_proj.weight') + g(p + 'mlp.c_proj.bias')
    x = ln(x, g('ln_f.weight'), g('ln_f.bias'), eps)
    return x @ g('wte.weight').T  # tied lm_head


def bytes_to_unicode():
    """GPT-2's byte -> printable character map (openai/gpt-2 encoder.py)."""
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def gpt2_case(gen):
    cfg = {
        'architectures': ['GPT2LMHeadModel'], 'model_type': 'gpt2', 'activation_function': 'gelu_new',
        'attn_pdrop': 0.1, 'embd_pdrop': 0.1, 'resid_pdrop': 0.1, 'bos_token_id': None, 'eos_token_id': None,
        'initializer_range': 0.02, 'layer_norm_epsilon': 1e-5, 'n_ctx': 16, 'n_positions': 16, 'n_embd': 32,
        'n_head': 4, 'n_layer': 2, 'n_inner': None, 'vocab_size': None, 'summary_type': 'cls_index',
        'task_specific_params': {'text-generation': {'do_sample': True, 'max_length': 50}}, 'transformers_version': '4.26.0',
    }
    # Byte-level BPE: the 256 byte symbols, a few merges, <|endoftext|> last (as GPT-2's 50256).
    b2u = bytes_to_unicode()
    vocab = [b2u[b] for b in range(256)]
    merges = [('Ġ', 't'), ('h', 'e'), ('Ġt', 'he'), ('Ġ', 'c'), ('a', 't'), ('Ġc', 'at'), ('Ġ', 's'), ('Ġs', 'at'),
              ('o', 'n'), ('Ġ', 'on'), ('Ġ', 'm'), ('Ġm', 'at'), ('T', 'he')]
    vocab += [a + b for a, b in merges] + ['<|endoftext|>']
    V = len(vocab)
    cfg['vocab_size'] = V
    cfg['bos_token_id'] = cfg['eos_token_id'] = V - 1
    C, F, L, P = 32, 128, 2, 16
    r = lambda *s: (torch.randn(*s, generator=gen) * 0.3).float()  # noqa: E731
    sd = {'wte.weight': r(V, C), 'wpe.weight': r(P, C), 'ln_f.weight': 1 + r(C), 'ln_f.bias': r(C)}
    for l in range(L):
        p = f'h.{l}.'
        sd.update({
            p + 'ln_1.weight': 1 + r(C), p + 'ln_1.bias': r(C), p + 'attn.c_attn.weight': r(C, 3 * C), p + 'attn.c_attn.bias': r(3 * C),
            p + 'attn.c_proj.weight': r(C, C), p + 'attn.c_proj.bias': r(C), p + 'ln_2.weight': 1 + r(C), p + 'ln_2.bias': r(C),
            p + 'mlp.c_fc.weight': r(C, F), p + 'mlp.c_fc.bias': r(F), p + 'mlp.c_proj.weight': r(F, C), p + 'mlp.c_proj.bias': r(C),
        })
    ids = [V - 1, 51, 72, 69, 256 + 2, 256 + 5, 256 + 7, 256 + 9, 256 + 11, 14, V - 1, 256 + 12]
    logits = gpt2_forward(sd, cfg, torch.tensor(ids))
    # The causal-mask buffers older transformers saved: the importer must ignore them by rule.
    stored = {n: t.numpy() for n, t in sd.items()}
    for l in range(L):
        stored[f'h.{l}.attn.bias'] = np.tril(np.ones((P, P), dtype=np.float32)).reshape(1, 1, P, P)
        stored[f'h.{l}.attn.masked_bias'] = np.array(-1e4, dtype=np.float32)
    d = os.path.join(OUT, 'gpt2')
    os.makedirs(d, exist_ok=True)
    write_json(os.path.join(d, 'config.json'), cfg)
    write_safetensors(os.path.join(d, 'model.safetensors'), stored, {'format': 'pt'})
    write_json(os.path.join(d, 'vocab.json'), {t: i for i, t in enumerate(vocab)})
    with open(os.path.join(d, 'merges.txt'), 'w', encoding='utf-8') as f:
        f.write('#version: 0.2\n' + ''.join(f'{a} {b}\n' for a, b in merges))
    write_safetensors(os.path.join(OUT, 'gpt2.reference.safetensors'),
                      {'ids': np.array(ids, dtype=np.int32), 'logits': logits.float().numpy()}, {'case': 'gpt2'})
    print(f'gpt2: V={V}, logits {tuple(logits.shape)}')


# ---------------------------------------------------------------------------------------------
# BERT (modeling_bert.BertForPreTraining), keyed by bert-base-chinese's names (gamma / beta).

def bert_forward(sd, cfg, ids, types):
    g = lambda n: sd[n].to(DT)  # noqa: E731
    lnp = lambda x, p: ln(x, g(p + '.gamma'), g(p + '.beta'), cfg['layer_norm_eps'])  # noqa: E731
    lin = lambda x, p: x @ g(p + '.weight').T + g(p + '.bias')  # nn.Linear: weight [out, in]  # noqa: E731
    T = len(ids)
    e = 'bert.embeddings.'
    x = g(e + 'word_embeddings.weight')[ids] + g(e + 'position_embeddings.weight')[:T] + g(e + 'token_type_embeddings.weight')[types]
    x = lnp(x, e + 'LayerNorm')
    for l in range(cfg['num_hidden_layers']):
        p = f'bert.encoder.layer.{l}.'
        q, k, v = (lin(x, p + 'attention.self.' + n) for n in ('query', 'key', 'value'))
        a = lin(heads_attention(q, k, v, cfg['num_attention_heads'], causal=False), p + 'attention.output.dense')
        x = lnp(x + a, p + 'attention.output.LayerNorm')  # post-LN
        h = lin(gelu(lin(x, p + 'intermediate.dense'), cfg['hidden_act']), p + 'output.dense')
        x = lnp(x + h, p + 'output.LayerNorm')
    t = lnp(gelu(lin(x, 'cls.predictions.transform.dense'), cfg['hidden_act']), 'cls.predictions.transform.LayerNorm')
    logits = t @ g(e + 'word_embeddings.weight').T + g('cls.predictions.bias')  # tied decoder
    pooled = torch.tanh(lin(x[0], 'bert.pooler.dense'))
    return logits, lin(pooled, 'cls.seq_relationship')


def bert_case(gen):
    specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
    chars = list('这家店的菜很好吃太难送餐慢了我喜欢不错') + ['的', 'good', 'bad', '##s', 'food', 'service', '.', ',', '!']
    vocab = ['[PAD]'] + [f'[unused{i}]' for i in range(3)] + ['[UNK]', '[CLS]', '[SEP]', '[MASK]'] + list(dict.fromkeys(chars))
    V, C, F, L, P = len(vocab), 32, 64, 2, 24
    cfg = {
        'architectures': ['BertForMaskedLM'], 'model_type': 'bert', 'attention_probs_dropout_prob': 0.1,
        'directionality': 'bidi', 'hidden_act': 'gelu', 'hidden_dropout_prob': 0.1, 'hidden_size': C,
        'initializer_range': 0.02, 'intermediate_size': F, 'layer_norm_eps': 1e-12, 'max_position_embeddings': P,
        'num_attention_heads': 4, 'num_hidden_layers': L, 'pad_token_id': 0, 'pooler_fc_size': C,
        'position_embedding_type': 'absolute', 'type_vocab_size': 2, 'vocab_size': V, 'use_cache': True,
        'transformers_version': '4.26.0',
    }
    r = lambda *s: (torch.randn(*s, generator=gen) * 0.3).float()  # noqa: E731
    e = 'bert.embeddings.'
    sd = {
        e + 'word_embeddings.weight': r(V, C), e + 'position_embeddings.weight': r(P, C), e + 'token_type_embeddings.weight': r(2, C),
        e + 'LayerNorm.gamma': 1 + r(C), e + 'LayerNorm.beta': r(C),
        'bert.pooler.dense.weight': r(C, C), 'bert.pooler.dense.bias': r(C),
        'cls.predictions.bias': r(V), 'cls.predictions.transform.dense.weight': r(C, C), 'cls.predictions.transform.dense.bias': r(C),
        'cls.predictions.transform.LayerNorm.gamma': 1 + r(C), 'cls.predictions.transform.LayerNorm.beta': r(C),
        'cls.seq_relationship.weight': r(2, C), 'cls.seq_relationship.bias': r(2),
    }
    for l in range(L):
        p = f'bert.encoder.layer.{l}.'
        for n in ('query', 'key', 'value'):
            sd[p + f'attention.self.{n}.weight'], sd[p + f'attention.self.{n}.bias'] = r(C, C), r(C)
        sd.update({
            p + 'attention.output.dense.weight': r(C, C), p + 'attention.output.dense.bias': r(C),
            p + 'attention.output.LayerNorm.gamma': 1 + r(C), p + 'attention.output.LayerNorm.beta': r(C),
            p + 'intermediate.dense.weight': r(F, C), p + 'intermediate.dense.bias': r(F),
            p + 'output.dense.weight': r(C, F), p + 'output.dense.bias': r(C),
            p + 'output.LayerNorm.gamma': 1 + r(C), p + 'output.LayerNorm.beta': r(C),
        })
    idx = {t: i for i, t in enumerate(vocab)}
    a = [idx[c] for c in '这家店的菜很好吃'] + [idx['[MASK]']]
    b = [idx[c] for c in '送餐太慢了']
    ids = [idx['[CLS]']] + a + [idx['[SEP]']] + b + [idx['[SEP]']]
    types = [0] * (len(a) + 2) + [1] * (len(b) + 1)
    logits, nsp = bert_forward(sd, cfg, torch.tensor(ids), torch.tensor(types))
    stored = {n: t.numpy() for n, t in sd.items()}
    stored[e + 'position_ids'] = np.arange(P, dtype=np.int64).reshape(1, P)  # a buffer, ignored by rule
    d = os.path.join(OUT, 'bert')
    os.makedirs(d, exist_ok=True)
    write_json(os.path.join(d, 'config.json'), cfg)
    write_safetensors(os.path.join(d, 'model.safetensors'), stored, {'format': 'pt'})
    special = lambda t: {'id': idx[t], 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False, 'normalized': False, 'special': True}  # noqa: E731
    tok = {
        'version': '1.0', 'truncation': None, 'padding': None,
        'added_tokens': [special(t) for t in specials],
        'normalizer': {'type': 'BertNormalizer', 'clean_text': True, 'handle_chinese_chars': True, 'strip_accents': None, 'lowercase': False},
        'pre_tokenizer': {'type': 'BertPreTokenizer'},
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [{'SpecialToken': {'id': '[CLS]', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}}, {'SpecialToken': {'id': '[SEP]', 'type_id': 0}}],
            'pair': [{'SpecialToken': {'id': '[CLS]', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}}, {'SpecialToken': {'id': '[SEP]', 'type_id': 0}},
                     {'Sequence': {'id': 'B', 'type_id': 1}}, {'SpecialToken': {'id': '[SEP]', 'type_id': 1}}],
            'special_tokens': {t: {'id': t, 'ids': [idx[t]], 'tokens': [t]} for t in ('[CLS]', '[SEP]')},
        },
        'decoder': {'type': 'WordPiece', 'prefix': '##', 'cleanup': True},
        'model': {'type': 'WordPiece', 'unk_token': '[UNK]', 'continuing_subword_prefix': '##', 'max_input_chars_per_word': 100, 'vocab': idx},
    }
    write_json(os.path.join(d, 'tokenizer.json'), tok)
    write_json(os.path.join(d, 'tokenizer_config.json'), {'do_lower_case': False, 'model_max_length': 512, 'tokenizer_class': 'BertTokenizer'})
    write_safetensors(os.path.join(OUT, 'bert.reference.safetensors'), {
        'ids': np.array(ids, dtype=np.int32), 'types': np.array(types, dtype=np.int32),
        'logits': logits.float().numpy(), 'nsp': nsp.float().numpy(),
    }, {'case': 'bert'})
    print(f'bert: V={V}, logits {tuple(logits.shape)}, nsp {nsp.tolist()}')


if __name__ == '__main__':
    gpt2_case(torch.Generator().manual_seed(1))
    bert_case(torch.Generator().manual_seed(2))
