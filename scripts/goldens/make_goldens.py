#!/usr/bin/python3
"""Golden files for the engine's PyTorch parity tests (llm.c's train_gpt2.py / write_state idea).

Run with Debian's torch (CPU):  /usr/bin/python3 scripts/goldens/make_goldens.py
Writes tests/goldens/<case>.safetensors (weights, inputs, logits, every gradient) and
tests/goldens/<case>.json (config, loss, 10 AdamW steps). The models are written out here in plain
PyTorch (nanoGPT style) and evaluated in float64, so the goldens measure only the engine's error.

Cases:
  gpt        tiny GPT-2 (pre-LN, learned positions, tied embeddings, biases, tanh GELU)
  gpt_nobias the same without biases (nanoGPT's bias=False, as the baby shakespeare model)
  gpt_untied the same with biases and a separate lm_head
  bert       tiny BERT (post-LN, token types, pooler, MLM head + NSP, key padding; tanh GELU, the
             engine's only GELU so far, where Hugging Face's BERT uses erf)
  bart       tiny BART-style encoder-decoder (post-LN, learned positions without BART's offset of 2,
             layernorm_embedding, causal decoder self-attention, cross attention over a padded
             encoder input, tied shared embeddings), source length 11, target length 7
  gpt_erf    the gpt case with the exact erf GELU (Hugging Face's 'gelu') instead of tanh
  bert_dropout  the bert case with erf GELU and dropout 0.1 on the embeddings, the attention
             probabilities and both residual branches of every post-LN layer. The masks are the
             engine's: a Python copy of its counter-based RNG (src/shaders/rng.wgsl, lowbias32 of
             (seed, step, stream, element)) draws them for StepState seed 0 and step t, stream
             (layer + 1) * 8 + site (site 0 embeddings, 1 probabilities, 2 attention branch, 3 MLP branch)
  bert_cls_frozen  BertForSequenceClassification (pooled [CLS] -> 3-way classifier, erf GELU), with
             the embeddings and layer 0 frozen: they get no gradient and AdamW skips them; the
             parameters after 10 steps are stored (final.<name>)
  gpt_cls    GPT2ForSequenceClassification: the last real token of each padded row -> score (no bias)
  bart_cls   the bart case with a classification head (dense, tanh, out_proj: Hugging Face's
             BartClassificationHead) on the first decoder position instead of the LM head
  bert_cls_lora  BertForSequenceClassification with LoRA adapters (rank 4, alpha 8) on query, key,
             value and attention.output.dense of every layer, written by hand as PEFT's LoraLayer
             (y = base(x) + alpha/r * (x A^T) B^T); every base tensor frozen, the adapters, pooler
             and classifier train. B is drawn non-zero (PEFT starts it at 0) so A's gradient is too
  bart_dropout  the bart case with erf GELU (BART's 'gelu') and dropout 0.1 on both embeddings, the
             encoder and decoder self-attention probabilities, the cross-attention probabilities and
             every residual branch (self-attention, cross-attention, MLP), as Hugging Face's BART with
             dropout = attention_dropout = 0.1 (activation_dropout 0). Masks as bert_dropout's, with
             BartGraph's layer numbering: encoder embeddings -1, encoder layers 0..L-1, decoder
             embeddings L, decoder layers L+1..2L; sites 4 and 5 are the cross probabilities and branch
  gpt_cls_lora   GPT2ForSequenceClassification with LoRA on all four linears of every layer (Conv1D:
             the update is x A^T B^T all the same, PEFT's fan_in_fan_out), base and ln_f frozen
  bert_cls_lora_dropout, gpt_cls_lora_dropout  the two LoRA cases with lora_dropout 0.1: PEFT drops
             each adapter's input, base(x) + alpha/r * (drop(x) A^T) B^T, in training only. Adapter i
             (layout order: per layer query, key, value, attention output / c_attn, c_proj, c_fc,
             mlp.c_proj) draws the engine's mask of stream 2^20 + i (src/engine/model/layers/lora.ts)
  bert_cls_mean  BertForSequenceClassification with mean pooling (ModernBERT's classifier_pooling
             "mean"): the mean of the last hidden states over each row's real tokens (rows padded
             to 11, 8 and 5 of 11, so the mask matters), then the pooler, the classifier; all train.
             Its inputs keep cls_index, so a test can run the [CLS] head on it and see it miss
  bart_cls_eos  BartForSequenceClassification's own pooling, written as transformers does: the decoder
             reads input_ids shifted right behind the start token (shift_tokens_right), and the
             state at each row's last eos token (rows of 11, 6 and 9 real tokens ending in eos = 2,
             padded) goes through dense, tanh, out_proj
  bart_cls_lora  the bart_cls classifier with LoRA (rank 4, alpha 8, lora_dropout 0.1) on q_proj, k_proj,
             v_proj and out_proj of every self-attention and of the decoder's cross-attention
             (encoder_attn, whose k and v read the encoder output); every model.* tensor frozen, the
             adapters and classification_head train. Sites: the encoder's layers, then the decoder's
  bart_vocab2  the bart case with separate source and target vocabularies (separate tokenizers):
             the encoder reads its own table model.encoder.embed_tokens [29, C], the decoder and the
             tied LM head another, model.decoder.embed_tokens [23, C] (Marian's layout with
             share_encoder_decoder_embeddings = False); labels and decoder inputs are target ids
  bert_cls_llrd, gpt_cls_llrd  the BERT [CLS] and GPT last-token classifiers, everything trainable,
             with layer-wise lr decay 0.5 (ELECTRA's): one AdamW param group per weight decay and lr
             multiple, the head at the schedule's lr, layer i of 2 at 0.5^(2 - i) of it, the
             embeddings at 0.5^3; the parameters after 10 steps are stored (final.<name>)

Run with case names to write only those (e.g. make_goldens.py gpt_erf); without, all are written.
"""
import json
import math
import os
import re
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'goldens')
DT = torch.float64


# ---------------------------------------------------------------------------------------------
# safetensors, written by hand (torch 1.13 has no safetensors package). Layout as the reference
# Rust implementation: tensors ordered by dtype (wider first) then name, compact JSON header with
# __metadata__ first, padded with spaces to a multiple of 8 bytes.
DTYPES = {np.dtype('float32'): ('F32', 15), np.dtype('int32'): ('I32', 13)}


def write_safetensors(path, tensors, metadata):
    items = []
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        code, rank = DTYPES[arr.dtype]
        items.append((-rank, name, code, arr))
    items.sort(key=lambda t: (t[0], t[1]))
    header = {'__metadata__': metadata}
    offset = 0
    blobs = []
    for _, name, code, arr in items:
        data = arr.astype(arr.dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': code, 'shape': list(arr.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------
# Models (nanoGPT's model.py, trimmed; BERT as in Hugging Face's modeling_bert, trimmed).

def gelu(x, kind):
    if kind == 'gelu_tanh':  # GPT-2's "gelu_new"
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))  # BERT's exact GELU


M32 = 0xffffffff


def lowbias32(x):
    """The engine's u32 mixer (Chris Wellons' lowbias32), on Python ints or numpy uint64 arrays."""
    arr = isinstance(x, np.ndarray)
    m, k1, k2 = (np.uint64(M32), np.uint64(0x7feb352d), np.uint64(0x846ca68b)) if arr else (M32, 0x7feb352d, 0x846ca68b)
    s15, s16 = (np.uint64(15), np.uint64(16)) if arr else (15, 16)
    x = x & m
    x ^= x >> s16
    x = (x * k1) & m
    x ^= x >> s15
    x = (x * k2) & m
    x ^= x >> s16
    return x


def dropout_mask(shape, p, seed, step, stream):
    """The engine's dropout mask (src/engine/reference/dropout.ts): element i (row-major) is kept iff
    randomBits(stepSeed(seed, step), stream, i) >= p * 2^32; kept elements scale by f32(1 / (1 - p))."""
    n = int(np.prod(shape))
    s = lowbias32(seed ^ lowbias32(step))
    key = lowbias32(s ^ lowbias32((stream + 0x9e3779b9) & M32))
    i = np.arange(n, dtype=np.uint64)
    bits = lowbias32((lowbias32(i ^ np.uint64(key)) + np.uint64(key)) & np.uint64(M32))
    threshold = min(M32, int(math.floor(p * 4294967296 + 0.5)))
    scale = float(np.float32(1.0 / (1.0 - p)))
    keep = torch.from_numpy((bits >= threshold).reshape(shape))
    return keep.to(DT) * scale


class Dropper:
    """Applies the engine's masks for one (seed, step): site s of layer l uses stream (l + 1) * 8 + s."""

    def __init__(self, p, seed, step):
        self.p, self.seed, self.step = p, seed, step

    def __call__(self, x, layer, site):
        return x * dropout_mask(tuple(x.shape), self.p, self.seed, self.step, (layer + 1) * 8 + site)


class LayerNorm(nn.Module):
    """LayerNorm with an optional bias (PyTorch 1.13's has none to switch off)."""

    def __init__(self, ndim, bias, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim, dtype=DT))
        self.bias = nn.Parameter(torch.zeros(ndim, dtype=DT)) if bias else None
        self.eps = eps

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, self.eps)


class Conv1D(nn.Module):
    """GPT-2's linear layer: weight stored [in, out], y = x @ W + b."""

    def __init__(self, nin, nout, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(nin, nout, dtype=DT))
        self.bias = nn.Parameter(torch.zeros(nout, dtype=DT)) if bias else None

    def forward(self, x):
        y = x @ self.weight
        return y + self.bias if self.bias is not None else y


def attention(q, k, v, n_head, causal, key_mask=None, drop=None):
    B, T, C = q.shape
    q = q.view(B, T, n_head, C // n_head).transpose(1, 2)  # (B, nh, T, hs)
    k = k.view(B, T, n_head, C // n_head).transpose(1, 2)
    v = v.view(B, T, n_head, C // n_head).transpose(1, 2)
    att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))  # (B, nh, T, T)
    if causal:
        mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
        att = att.masked_fill(~mask, float('-inf'))
    if key_mask is not None:  # (B, T) 1 = real token, 0 = padding
        att = att.masked_fill(key_mask[:, None, None, :] == 0, float('-inf'))
    att = F.softmax(att, dim=-1)
    if drop is not None:  # attention dropout on the probabilities (B, nh, T, T)
        att = drop(att)
    y = att @ v  # (B, nh, T, hs)
    return y.transpose(1, 2).contiguous().view(B, T, C)


class GPTBlock(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        C, bias = cfg['nEmbd'], cfg['bias']
        self.ln_1 = LayerNorm(C, bias, cfg['layerNormEps'])
        self.attn = nn.Module()
        self.attn.c_attn = Conv1D(C, 3 * C, bias)
        self.attn.c_proj = Conv1D(C, C, bias)
        self.ln_2 = LayerNorm(C, bias, cfg['layerNormEps'])
        self.mlp = nn.Module()
        self.mlp.c_fc = Conv1D(C, cfg['ffWidth'], bias)
        self.mlp.c_proj = Conv1D(cfg['ffWidth'], C, bias)
        self.cfg = cfg

    def forward(self, x):
        q, k, v = self.attn.c_attn(self.ln_1(x)).split(self.cfg['nEmbd'], dim=2)
        x = x + self.attn.c_proj(attention(q, k, v, self.cfg['nHead'], causal=True))
        return x + self.mlp.c_proj(gelu(self.mlp.c_fc(self.ln_2(x)), self.cfg['activation']))


class GPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.transformer = nn.Module()
        self.transformer.wte = nn.Embedding(cfg['vocabSize'], cfg['nEmbd'], dtype=DT)
        self.transformer.wpe = nn.Embedding(cfg['blockSize'], cfg['nEmbd'], dtype=DT)
        self.transformer.h = nn.ModuleList([GPTBlock(cfg) for _ in range(cfg['nLayer'])])
        self.transformer.ln_f = LayerNorm(cfg['nEmbd'], cfg['bias'], cfg['layerNormEps'])
        if cfg.get('heads'):  # GPT2ForSequenceClassification: score, no bias
            self.score = nn.Linear(cfg['nEmbd'], cfg['heads'][0]['numLabels'], bias=False, dtype=DT)
        elif not cfg['tiedEmbeddings']:
            self.lm_head = nn.Linear(cfg['nEmbd'], cfg['vocabSize'], bias=False, dtype=DT)

    def hidden(self, idx):
        B, T = idx.shape
        x = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(T))
        for block in self.transformer.h:
            x = block(x)
        return self.transformer.ln_f(x)

    def classify(self, idx, cls_index, labels):
        h = self.hidden(idx).reshape(-1, self.cfg['nEmbd'])[cls_index]  # (B, C): each row's last real token
        logits = h @ self.score.weight.t()
        return logits, F.cross_entropy(logits, labels)

    def forward(self, idx, targets):
        B, T = idx.shape
        x = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(T))
        for block in self.transformer.h:
            x = block(x)
        head = self.transformer.wte.weight if self.cfg['tiedEmbeddings'] else self.lm_head.weight
        logits = self.transformer.ln_f(x) @ head.t()
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        return logits, loss


class Linear(nn.Module):
    """Hugging Face BERT's nn.Linear: weight stored [out, in], y = x @ W^T + b."""

    def __init__(self, nin, nout):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(nout, nin, dtype=DT))
        self.bias = nn.Parameter(torch.zeros(nout, dtype=DT))

    def forward(self, x):
        return x @ self.weight.t() + self.bias


class BertLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        C, eps = cfg['nEmbd'], cfg['layerNormEps']
        self.attention = nn.Module()
        self.attention.self = nn.Module()
        self.attention.self.query = Linear(C, C)
        self.attention.self.key = Linear(C, C)
        self.attention.self.value = Linear(C, C)
        self.attention.output = nn.Module()
        self.attention.output.dense = Linear(C, C)
        self.attention.output.LayerNorm = LayerNorm(C, True, eps)
        self.intermediate = nn.Module()
        self.intermediate.dense = Linear(C, cfg['ffWidth'])
        self.output = nn.Module()
        self.output.dense = Linear(cfg['ffWidth'], C)
        self.output.LayerNorm = LayerNorm(C, True, eps)
        self.cfg = cfg

    def forward(self, x, key_mask, drop=None):
        """drop(t, site): the layer's dropout at site 1 (probabilities), 2 and 3 (branches), or None."""
        d = drop or (lambda t, site: t)
        s = self.attention.self
        a = attention(s.query(x), s.key(x), s.value(x), self.cfg['nHead'], causal=False, key_mask=key_mask,
                      drop=(lambda t: d(t, 1)) if drop else None)
        x = self.attention.output.LayerNorm(x + d(self.attention.output.dense(a), 2))  # post-LN
        h = gelu(self.intermediate.dense(x), self.cfg['activation'])
        return self.output.LayerNorm(x + d(self.output.dense(h), 3))


class Bert(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        C, eps = cfg['nEmbd'], cfg['layerNormEps']
        self.cfg = cfg
        self.bert = nn.Module()
        e = self.bert.embeddings = nn.Module()
        e.word_embeddings = nn.Embedding(cfg['vocabSize'], C, dtype=DT)
        e.position_embeddings = nn.Embedding(cfg['blockSize'], C, dtype=DT)
        e.token_type_embeddings = nn.Embedding(cfg['typeVocabSize'], C, dtype=DT)
        e.LayerNorm = LayerNorm(C, True, eps)
        self.bert.encoder = nn.Module()
        self.bert.encoder.layer = nn.ModuleList([BertLayer(cfg) for _ in range(cfg['nLayer'])])
        self.bert.pooler = nn.Module()
        self.bert.pooler.dense = Linear(C, C)
        if cfg.get('heads'):  # BertForSequenceClassification
            self.classifier = Linear(C, cfg['heads'][0]['numLabels'])
            return
        self.cls = nn.Module()
        p = self.cls.predictions = nn.Module()
        p.transform = nn.Module()
        p.transform.dense = Linear(C, C)
        p.transform.LayerNorm = LayerNorm(C, True, eps)
        p.bias = nn.Parameter(torch.zeros(cfg['vocabSize'], dtype=DT))  # decoder weight tied to word_embeddings
        self.cls.seq_relationship = Linear(C, 2)

    def encode(self, ids, types, mask, dropper=None):
        B, T = ids.shape
        e = self.bert.embeddings
        x = e.LayerNorm(e.word_embeddings(ids) + e.position_embeddings(torch.arange(T)) + e.token_type_embeddings(types))
        if dropper:
            x = dropper(x, -1, 0)
        for l, layer in enumerate(self.bert.encoder.layer):
            x = layer(x, mask, (lambda t, site, l=l: dropper(t, l, site)) if dropper else None)
        return x

    def classify(self, ids, types, mask, labels):
        x = self.encode(ids, types, mask)
        if self.cfg['heads'][0]['pool'] == 'mean':  # ModernBERT's classifier_pooling "mean": real tokens only
            m = mask.unsqueeze(-1).to(DT)
            feat = (x * m).sum(dim=1) / m.sum(dim=1)  # (B, C)
        else:
            feat = x[:, 0]  # (B, C) from [CLS]
        pooled = torch.tanh(self.bert.pooler.dense(feat))
        logits = self.classifier(pooled)  # (B, K)
        return logits, F.cross_entropy(logits, labels)

    def forward(self, ids, types, mask, mlm_labels, nsp_labels, dropper=None):
        x = self.encode(ids, types, mask, dropper)
        e = self.bert.embeddings
        p = self.cls.predictions
        h = p.transform.LayerNorm(gelu(p.transform.dense(x), self.cfg['activation']))
        logits = h @ e.word_embeddings.weight.t() + p.bias  # (B, T, V)
        pooled = torch.tanh(self.bert.pooler.dense(x[:, 0]))  # (B, C) from [CLS]
        nsp_logits = self.cls.seq_relationship(pooled)  # (B, 2)
        mlm = F.cross_entropy(logits.view(-1, logits.size(-1)), mlm_labels.view(-1), ignore_index=-100)
        nsp = F.cross_entropy(nsp_logits, nsp_labels)
        return (logits, nsp_logits), mlm + nsp


class BartAttention(nn.Module):
    def __init__(self, C):
        super().__init__()
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = Linear(C, C), Linear(C, C), Linear(C, C), Linear(C, C)


class BartLayer(nn.Module):
    def __init__(self, cfg, cross):
        super().__init__()
        C, eps = cfg['nEmbd'], cfg['layerNormEps']
        self.self_attn = BartAttention(C)
        self.self_attn_layer_norm = LayerNorm(C, True, eps)
        if cross:
            self.encoder_attn = BartAttention(C)
            self.encoder_attn_layer_norm = LayerNorm(C, True, eps)
        self.fc1 = Linear(C, cfg['ffWidth'])
        self.fc2 = Linear(cfg['ffWidth'], C)
        self.final_layer_norm = LayerNorm(C, True, eps)
        self.cfg = cfg

    def forward(self, x, key_mask, causal, enc=None, enc_mask=None, drop=None):
        """drop(t, site): the layer's dropout at site 1 / 4 (self / cross probabilities), 2 / 5 (their
        branches) and 3 (the MLP branch), as Hugging Face's BartEncoderLayer / BartDecoderLayer; or None."""
        d = drop or (lambda t, site: t)
        a, H = self.self_attn, self.cfg['nHead']
        y = attention(a.q_proj(x), a.k_proj(x), a.v_proj(x), H, causal, key_mask, drop=(lambda t: d(t, 1)) if drop else None)
        x = self.self_attn_layer_norm(x + d(a.out_proj(y), 2))
        if enc is not None:
            c = self.encoder_attn
            B, Tq, C = x.shape
            Tk = enc.shape[1]
            q = c.q_proj(x).view(B, Tq, H, C // H).transpose(1, 2)
            k = c.k_proj(enc).view(B, Tk, H, C // H).transpose(1, 2)
            v = c.v_proj(enc).view(B, Tk, H, C // H).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(C // H))
            att = att.masked_fill(enc_mask[:, None, None, :] == 0, float('-inf'))
            y = (d(F.softmax(att, dim=-1), 4) @ v).transpose(1, 2).contiguous().view(B, Tq, C)  # probabilities (B, nh, Tq, Tk)
            x = self.encoder_attn_layer_norm(x + d(c.out_proj(y), 5))
        h = gelu(self.fc1(x), self.cfg['activation'])
        return self.final_layer_norm(x + d(self.fc2(h), 3))


class Bart(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        C, eps = cfg['nEmbd'], cfg['layerNormEps']
        self.cfg = cfg
        self.model = nn.Module()
        self.separate = cfg.get('targetVocabSize') is not None
        if not self.separate:
            self.model.shared = nn.Embedding(cfg['vocabSize'], C, dtype=DT)
        for side in ('encoder', 'decoder'):
            s = nn.Module()
            if self.separate:  # Marian's untied tables: the source vocabulary, then the target's
                s.embed_tokens = nn.Embedding(cfg['vocabSize'] if side == 'encoder' else cfg['targetVocabSize'], C, dtype=DT)
            s.embed_positions = nn.Embedding(cfg['blockSize'], C, dtype=DT)
            s.layernorm_embedding = LayerNorm(C, True, eps)
            s.layers = nn.ModuleList([BartLayer(cfg, side == 'decoder') for _ in range(cfg['nLayer'])])
            setattr(self.model, side, s)
        if cfg.get('heads'):  # BartForSequenceClassification's head (dense, tanh, out_proj)
            self.classification_head = nn.Module()
            self.classification_head.dense = Linear(C, C)
            self.classification_head.out_proj = Linear(C, cfg['heads'][0]['numLabels'])

    def tokens(self, side):
        return getattr(self.model, side).embed_tokens if self.separate else self.model.shared

    def decode(self, src, src_mask, tgt, dropper=None):
        """dropper: the engine's masks, numbered as BartGraph numbers its dropout layers: the encoder's
        embeddings -1 and layers 0..L-1, then the decoder's embeddings L and layers L+1..2L."""
        m, L = self.model, self.cfg['nLayer']
        dr = dropper or (lambda t, layer, site: t)
        at = (lambda layer: (lambda t, site: dropper(t, layer, site))) if dropper else (lambda layer: None)
        x = dr(m.encoder.layernorm_embedding(self.tokens('encoder')(src) + m.encoder.embed_positions(torch.arange(src.shape[1]))), -1, 0)
        for l, layer in enumerate(m.encoder.layers):
            x = layer(x, src_mask, causal=False, drop=at(l))
        y = dr(m.decoder.layernorm_embedding(self.tokens('decoder')(tgt) + m.decoder.embed_positions(torch.arange(tgt.shape[1]))), L, 0)
        for l, layer in enumerate(m.decoder.layers):
            y = layer(y, None, causal=True, enc=x, enc_mask=src_mask, drop=at(L + 1 + l))
        return y

    def classify(self, src, src_mask, tgt, labels):
        h = self.classification_head
        logits = h.out_proj(torch.tanh(h.dense(self.decode(src, src_mask, tgt)[:, 0])))  # the first decoder position
        return logits, F.cross_entropy(logits, labels)

    def forward(self, src, src_mask, tgt, labels, dropper=None):
        logits = self.decode(src, src_mask, tgt, dropper) @ self.tokens('decoder').weight.t()  # tied lm_head
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1), ignore_index=-100)
        return logits, loss


LORA_DROPOUT_STREAM = 1 << 20


def add_lora(model, modules, spec, gen, step=None):
    """PEFT's LoraLayer by hand on each named module: lora_A [r, in] ~ U(+-1/sqrt(in)) as PEFT's
    kaiming_uniform_(a=sqrt(5)), lora_B [out, r] random (PEFT: zeros), forward + alpha/r * x A^T B^T.
    With lora_dropout p > 0, x is dropped first by the engine's mask of (seed 0, step['step'],
    stream 2^20 + the adapter's index); step['step'] None (evaluation): no dropout."""
    r, scale, p = spec['rank'], spec['alpha'] / spec['rank'], spec['dropout']

    def drop(x, i):
        if p == 0 or step is None or step['step'] is None:
            return x
        return x * dropout_mask(tuple(x.shape), p, 0, step['step'], LORA_DROPOUT_STREAM + i)

    for i, name in enumerate(modules):
        m = model.get_submodule(name)
        nin, nout = (m.weight.shape[0], m.weight.shape[1]) if isinstance(m, Conv1D) else (m.weight.shape[1], m.weight.shape[0])
        m.lora_A = nn.Module()
        m.lora_A.weight = nn.Parameter((torch.rand(r, nin, generator=gen, dtype=DT) * 2 - 1) / math.sqrt(nin))
        m.lora_B = nn.Module()
        m.lora_B.weight = nn.Parameter(0.5 * torch.randn(nout, r, generator=gen, dtype=DT))
        base = m.forward
        m.forward = lambda x, base=base, m=m, i=i: base(x) + scale * (drop(x, i) @ m.lora_A.weight.t()) @ m.lora_B.weight.t()


# ---------------------------------------------------------------------------------------------

def init_weights(model, gen):
    """Larger than GPT-2's 0.02 so logits, softmaxes and gradients are far from trivial."""
    for name, p in model.named_parameters():
        with torch.no_grad():
            if 'LayerNorm' in name or 'ln_' in name or 'layer_norm' in name or 'layernorm' in name:
                base = 1.0 if name.endswith('weight') else 0.0
                p.copy_(base + 0.1 * torch.randn(p.shape, generator=gen, dtype=DT))
            elif name.endswith('bias'):
                p.copy_(0.1 * torch.randn(p.shape, generator=gen, dtype=DT))
            else:
                fan_in = p.shape[0] if p.dim() == 2 and 'c_' in name else p.shape[-1]
                emb = any(k in name for k in ('embeddings', 'wte', 'wpe', 'shared', 'embed_positions'))
                std = 0.5 if emb else 1.0 / math.sqrt(fan_in)
                p.copy_(std * torch.randn(p.shape, generator=gen, dtype=DT))


def get_lr(it, opt):
    """nanoGPT's schedule: linear warmup, cosine decay to min_lr."""
    if it < opt['warmupIters']:
        return opt['lr'] * (it + 1) / (opt['warmupIters'] + 1)
    if it > opt['lrDecayIters']:
        return opt['minLr']
    ratio = (it - opt['warmupIters']) / (opt['lrDecayIters'] - opt['warmupIters'])
    coeff = 0.5 * (1.0 + math.cos(math.pi * ratio))
    return opt['minLr'] + coeff * (opt['lr'] - opt['minLr'])


def layer_lr_scale(cfg, name):
    """Layer-wise lr decay (ELECTRA's): the head at the lr, layer i of L at decay^(L - i), the
    embeddings at decay^(L + 1); 1 everywhere without cfg['layerDecay']."""
    decay = cfg.get('layerDecay')
    if decay is None:
        return 1.0
    L = cfg['nLayer']
    m = re.match(r'(bert\.encoder\.layer|transformer\.h)\.(\d+)\.', name)
    if m:
        return decay ** (L - int(m.group(2)))
    if name.startswith(('bert.embeddings.', 'transformer.wte.', 'transformer.wpe.')):
        return decay ** (L + 1)
    return 1.0


def train_steps(model, forward, opt, cfg):
    """10 AdamW steps on the same batch: nanoGPT's configure_optimizers + clip + schedule, one
    param group per (weight decay, lr multiple) as layer-wise lr decay groups them."""
    params = {n: p for n, p in model.named_parameters() if p.requires_grad}  # frozen tensors: no optimizer state
    groups = {}
    for n, p in params.items():
        key = (opt['weightDecay'] if p.dim() >= 2 else 0.0, layer_lr_scale(cfg, n))
        groups.setdefault(key, []).append(p)
    optim = torch.optim.AdamW(
        [{'params': ps, 'weight_decay': wd, 'lr_scale': scale} for (wd, scale), ps in groups.items()],
        lr=opt['lr'], betas=(opt['beta1'], opt['beta2']), eps=opt['eps'])
    losses, lrs, norms = [], [], []
    for it in range(opt['steps']):
        lr = get_lr(it, opt)
        for g in optim.param_groups:
            g['lr'] = lr * g['lr_scale']
        optim.zero_grad(set_to_none=True)
        _, loss = forward(it + 1)  # step it + 1: the engine's 1-based StepState step (dropout masks)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), opt['gradClip'])
        optim.step()
        losses.append(loss.item())
        lrs.append(lr)
        norms.append(norm.item())
    with torch.no_grad():
        _, final = forward(None)  # evaluation: no dropout
    return {'losses': losses, 'lrs': lrs, 'gradNorms': norms, 'finalLoss': final.item()}


OPT = {'steps': 10, 'lr': 1e-2, 'minLr': 1e-3, 'warmupIters': 3, 'lrDecayIters': 10, 'beta1': 0.9,
       'beta2': 0.99, 'eps': 1e-8, 'weightDecay': 0.1, 'gradClip': 1.0,
       'decay': '2D weights (incl. embeddings) decay; biases and norms do not (nanoGPT)'}


def f32(t):
    return t.detach().to(torch.float32).numpy()


def dump(case, cfg, model, inputs, forward, final_params=False):
    """forward(step): the model's (outputs, loss) with step's dropout masks (step None: no dropout)."""
    gen_state = {n: p.detach().clone() for n, p in model.named_parameters()}
    (outs, loss) = forward(1)
    loss.backward()
    tensors = {}
    for name, p in model.named_parameters():
        tensors['param.' + name] = f32(gen_state[name])
        tensors['grad.' + name] = f32(p.grad if p.grad is not None else torch.zeros_like(p))  # frozen: none
    for name, arr in inputs.items():
        tensors['input.' + name] = arr.to(torch.int32).numpy()
    if isinstance(outs, tuple):
        tensors['output.logits'] = f32(outs[0])
        tensors['output.nsp_logits'] = f32(outs[1])
    else:
        tensors['output.logits'] = f32(outs)
    model.zero_grad(set_to_none=True)
    training = train_steps(model, forward, OPT, cfg)
    if final_params:
        for name, p in model.named_parameters():
            tensors['final.' + name] = f32(p)
    meta = {'case': case, 'config': cfg, 'loss': loss.item(), 'optimizer': OPT, 'training': training,
            'torch': torch.__version__, 'precision': 'float64, stored as float32'}
    write_safetensors(os.path.join(OUT, case + '.safetensors'), tensors, {'case': case})
    with open(os.path.join(OUT, case + '.json'), 'w') as f:
        json.dump(meta, f, indent=2)
        f.write('\n')
    print(f'{case}: loss {loss.item():.6f}, after 10 steps {training["finalLoss"]:.6f}, '
          f'{sum(p.numel() for p in model.parameters())} params')


def gpt_case(case, bias, seed, tied=True, activation='gelu_tanh', heads=None, lora=None, layer_decay=None):
    cfg = {'kind': 'decoder', 'vocabSize': 37, 'nLayer': 2, 'nHead': 2, 'nEmbd': 16, 'blockSize': 11,
           'ffWidth': 64, 'dropout': 0.0, 'bias': bias, 'tiedEmbeddings': tied, 'norm': 'pre',
           'activation': activation, 'layerNormEps': 1e-5, 'batchSize': 3, 'ignoreIndex': -1}
    if heads:
        cfg['heads'] = heads
    if layer_decay:
        cfg['layerDecay'] = layer_decay
    gen = torch.Generator().manual_seed(seed)
    model = GPT(cfg)
    init_weights(model, gen)
    step = {'step': None}  # the StepState step the adapters' dropout masks are drawn for
    if lora:  # all four linears of every layer; everything but the adapters and the score head frozen
        cfg['lora'] = lora
        cfg['frozen'] = ['transformer.wte.', 'transformer.wpe.', 'transformer.ln_f.'] + [f'transformer.h.{l}.' for l in range(cfg['nLayer'])]
        add_lora(model, [f'transformer.h.{l}.{m}' for l in range(cfg['nLayer']) for m in ('attn.c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj')], lora, gen, step)
        for name, p in model.named_parameters():
            p.requires_grad_('lora_' in name or not any(name.startswith(f) for f in cfg['frozen']))
    B, T = cfg['batchSize'], cfg['blockSize']
    idx = torch.randint(0, cfg['vocabSize'], (B, T), generator=gen)
    if heads:  # classify each row from its last real token; padding (id 0) at the tail
        lengths = [11, 7, 4]
        for b, n in enumerate(lengths):
            idx[b, n:] = 0
        cls_index = torch.tensor([b * T + n - 1 for b, n in enumerate(lengths)])
        labels = torch.tensor([0, 2, 1])
        def classify(t):
            step['step'] = t
            return model.classify(idx, cls_index, labels)

        dump(case, cfg, model, {'idx': idx, 'cls_index': cls_index, 'class_labels': labels}, classify, final_params=bool(lora or layer_decay))
        return
    targets = torch.randint(0, cfg['vocabSize'], (B, T), generator=gen)
    targets[0, 3] = -1  # ignored positions cost nothing in the loss
    targets[2, 10] = -1
    dump(case, cfg, model, {'idx': idx, 'targets': targets}, lambda step: model(idx, targets))


def bert_case(case, seed, activation='gelu_tanh', dropout=0.0, heads=None, frozen=None, lora=None, layer_decay=None):
    cfg = {'kind': 'encoder', 'vocabSize': 41, 'nLayer': 2, 'nHead': 2, 'nEmbd': 16, 'blockSize': 11,
           'ffWidth': 64, 'dropout': dropout, 'bias': True, 'tiedEmbeddings': True, 'norm': 'post',
           'activation': activation, 'layerNormEps': 1e-12, 'typeVocabSize': 2, 'pooler': True,
           'batchSize': 3, 'ignoreIndex': -100, 'padId': 0, 'clsId': 2, 'sepId': 3, 'maskId': 4}
    if heads:
        cfg['heads'] = heads
    if frozen:
        cfg['frozen'] = frozen
    if layer_decay:
        cfg['layerDecay'] = layer_decay
    gen = torch.Generator().manual_seed(seed)
    model = Bert(cfg)
    init_weights(model, gen)
    step = {'step': None}  # the StepState step the adapters' dropout masks are drawn for
    if lora:  # PEFT's attention targets: query, key, value and the attention output
        cfg['lora'] = lora
        add_lora(model, [f'bert.encoder.layer.{l}.attention.{m}' for l in range(cfg['nLayer']) for m in ('self.query', 'self.key', 'self.value', 'output.dense')], lora, gen, step)
    for name, p in model.named_parameters():
        p.requires_grad_('lora_' in name or not any(name.startswith(f) for f in frozen or []))
    B, T, V = cfg['batchSize'], cfg['blockSize'], cfg['vocabSize']
    lengths = [11, 8, 5]
    ids = torch.zeros(B, T, dtype=torch.long)
    types = torch.zeros(B, T, dtype=torch.long)
    mask = torch.zeros(B, T, dtype=torch.long)
    labels = torch.full((B, T), -100, dtype=torch.long)
    for b, n in enumerate(lengths):
        body = torch.randint(5, V, (n,), generator=gen)
        body[0] = cfg['clsId']
        split = n // 2
        body[split] = cfg['sepId']
        body[n - 1] = cfg['sepId']
        ids[b, :n] = body
        types[b, split + 1:n] = 1
        mask[b, :n] = 1
        for t in range(1, n - 1):  # mask ~1/3 of the real tokens (MLM), ignore the rest
            if t != split and torch.rand((), generator=gen).item() < 0.35:
                labels[b, t] = ids[b, t]
                ids[b, t] = cfg['maskId']
    inputs = {'input_ids': ids, 'token_type_ids': types, 'attention_mask': mask}
    if heads:  # classify [CLS] (or the mean of the real tokens) into 3 classes
        cls_index = torch.tensor([b * T for b in range(B)])
        classes = torch.tensor([2, 0, 1])
        def classify(t):
            step['step'] = t
            return model.classify(ids, types, mask, classes)

        dump(case, cfg, model, {**inputs, 'cls_index': cls_index, 'class_labels': classes}, classify, final_params=True)
        return
    nsp = torch.tensor([0, 1, 1])

    def forward(step):  # the engine's masks of StepState (seed 0, step); step None: evaluation
        return model(ids, types, mask, labels, nsp, Dropper(dropout, 0, step) if dropout > 0 and step else None)

    dump(case, cfg, model, {**inputs, 'mlm_labels': labels, 'nsp_labels': nsp}, forward)


def bart_case(case, seed, heads=None, activation='gelu_tanh', dropout=0.0, lora=None, target_vocab=None, eos_pool=False):
    cfg = {'kind': 'encoder-decoder', 'vocabSize': 29, 'nLayer': 2, 'nHead': 2, 'nEmbd': 16, 'blockSize': 11,
           'ffWidth': 64, 'dropout': dropout, 'bias': True, 'tiedEmbeddings': True, 'norm': 'post',
           'activation': activation, 'layerNormEps': 1e-5, 'typeVocabSize': 0, 'pooler': False,
           'batchSize': 3, 'targetLen': 11 if eos_pool else 7, 'ignoreIndex': -100, 'padId': 0}
    if target_vocab:
        cfg['targetVocabSize'] = target_vocab
    if heads:
        cfg['heads'] = heads
    gen = torch.Generator().manual_seed(seed)
    model = Bart(cfg)
    init_weights(model, gen)
    step = {'step': None}  # the StepState step the adapters' dropout masks are drawn for
    if lora:  # q, k, v, out of every self-attention and of the decoder's cross-attention, in the engine's site order
        cfg['lora'] = lora
        cfg['frozen'] = ['model.']
        modules = []
        for side in ('encoder', 'decoder'):
            for l in range(cfg['nLayer']):
                for att in ('self_attn',) + (('encoder_attn',) if side == 'decoder' else ()):
                    modules += [f'model.{side}.layers.{l}.{att}.{m}' for m in ('q_proj', 'k_proj', 'v_proj', 'out_proj')]
        add_lora(model, modules, lora, gen, step)
        for name, p in model.named_parameters():
            p.requires_grad_('lora_' in name or not name.startswith('model.'))
    B, Ts, Tt, V = cfg['batchSize'], cfg['blockSize'], cfg['targetLen'], cfg['vocabSize']
    src = torch.randint(1, V, (B, Ts), generator=gen)
    mask = torch.ones(B, Ts, dtype=torch.long)
    for b, n in enumerate([11, 6, 9]):  # padded encoder inputs
        src[b, n:] = cfg['padId']
        mask[b, n:] = 0
    Vt = cfg.get('targetVocabSize', V)  # decoder inputs and labels are target-side ids
    tgt = torch.randint(1, Vt, (B, Tt), generator=gen)
    labels = torch.randint(1, Vt, (B, Tt), generator=gen)
    labels[1, 5:] = -100  # padded targets cost nothing
    inputs = {'input_ids': src, 'attention_mask': mask, 'decoder_input_ids': tgt}
    if eos_pool:  # BartForSequenceClassification, as transformers writes it
        eos, start = 2, 1
        lengths = [11, 6, 9]
        src[src == eos] = 3  # one eos per row, its last real token (transformers requires the same count per row)
        for b, n in enumerate(lengths):
            src[b, n - 1] = eos
        tgt = torch.full_like(src, cfg['padId'])  # shift_tokens_right(input_ids, pad, decoder_start)
        tgt[:, 1:] = src[:, :-1]
        tgt[:, 0] = start
        classes = torch.tensor([1, 0, 1])
        cls_index = torch.tensor([b * Ts + n - 1 for b, n in enumerate(lengths)])

        def classify(t):
            hidden = model.decode(src, mask, tgt)
            eos_mask = src.eq(eos)
            rep = hidden[eos_mask, :].view(hidden.size(0), -1, hidden.size(-1))[:, -1, :]
            h = model.classification_head
            logits = h.out_proj(torch.tanh(h.dense(rep)))
            return logits, F.cross_entropy(logits, classes)

        dump(case, cfg, model, {'input_ids': src, 'attention_mask': mask, 'decoder_input_ids': tgt, 'cls_index': cls_index, 'class_labels': classes}, classify)
        return
    if heads:  # classify each pair from the first decoder position
        classes = torch.tensor([1, 0, 1])
        cls_index = torch.tensor([b * Tt for b in range(B)])
        def classify(t):
            step['step'] = t
            return model.classify(src, mask, tgt, classes)

        dump(case, cfg, model, {**inputs, 'cls_index': cls_index, 'class_labels': classes}, classify, final_params=bool(lora))
        return

    def forward(step):  # the engine's masks of StepState (seed 0, step); step None: evaluation
        return model(src, mask, tgt, labels, Dropper(dropout, 0, step) if dropout > 0 and step else None)

    dump(case, cfg, model, {**inputs, 'labels': labels}, forward)


CASES = {
    'gpt': lambda: gpt_case('gpt', True, 1337),
    'gpt_nobias': lambda: gpt_case('gpt_nobias', False, 1338),
    'gpt_untied': lambda: gpt_case('gpt_untied', True, 1341, tied=False),
    'bert': lambda: bert_case('bert', 1339),
    'bart': lambda: bart_case('bart', 1340),
    'gpt_erf': lambda: gpt_case('gpt_erf', True, 1337, activation='gelu'),
    'bert_dropout': lambda: bert_case('bert_dropout', 1339, activation='gelu', dropout=0.1),
    'bert_cls_frozen': lambda: bert_case('bert_cls_frozen', 1342, activation='gelu',
                                         heads=[{'kind': 'classify', 'numLabels': 3, 'pool': 'first'}],
                                         frozen=['bert.embeddings.', 'bert.encoder.layer.0.']),
    'gpt_cls': lambda: gpt_case('gpt_cls', True, 1343, heads=[{'kind': 'classify', 'numLabels': 3, 'pool': 'last'}]),
    'bart_cls': lambda: bart_case('bart_cls', 1344, heads=[{'kind': 'classify', 'numLabels': 2, 'pool': 'first'}]),
    'bart_cls_eos': lambda: bart_case('bart_cls_eos', 1351, heads=[{'kind': 'classify', 'numLabels': 2, 'pool': 'last'}], eos_pool=True),
    'bert_cls_lora': lambda: bert_case('bert_cls_lora', 1345, activation='gelu',
                                       heads=[{'kind': 'classify', 'numLabels': 3, 'pool': 'first'}],
                                       frozen=['bert.embeddings.', 'bert.encoder.layer.0.', 'bert.encoder.layer.1.'],
                                       lora={'rank': 4, 'alpha': 8, 'dropout': 0, 'targets': 'attention'}),
    'bart_dropout': lambda: bart_case('bart_dropout', 1347, activation='gelu', dropout=0.1),
    'gpt_cls_lora': lambda: gpt_case('gpt_cls_lora', True, 1346, heads=[{'kind': 'classify', 'numLabels': 3, 'pool': 'last'}],
                                     lora={'rank': 4, 'alpha': 8, 'dropout': 0, 'targets': 'all-linear'}),
    'bart_vocab2': lambda: bart_case('bart_vocab2', 1350, target_vocab=23),
    'bart_cls_lora': lambda: bart_case('bart_cls_lora', 1349, heads=[{'kind': 'classify', 'numLabels': 2, 'pool': 'first'}],
                                       lora={'rank': 4, 'alpha': 8, 'dropout': 0.1, 'targets': 'attention'}),
    'bert_cls_mean': lambda: bert_case('bert_cls_mean', 1350, activation='gelu',
                                       heads=[{'kind': 'classify', 'numLabels': 3, 'pool': 'mean'}]),
    'bert_cls_lora_dropout': lambda: bert_case('bert_cls_lora_dropout', 1347, activation='gelu',
                                               heads=[{'kind': 'classify', 'numLabels': 3, 'pool': 'first'}],
                                               frozen=['bert.embeddings.', 'bert.encoder.layer.0.', 'bert.encoder.layer.1.'],
                                               lora={'rank': 4, 'alpha': 8, 'dropout': 0.1, 'targets': 'attention'}),
    'bert_cls_llrd': lambda: bert_case('bert_cls_llrd', 1352, activation='gelu',
                                       heads=[{'kind': 'classify', 'numLabels': 3, 'pool': 'first'}], layer_decay=0.5),
    'gpt_cls_llrd': lambda: gpt_case('gpt_cls_llrd', True, 1353, heads=[{'kind': 'classify', 'numLabels': 3, 'pool': 'last'}], layer_decay=0.5),
    'gpt_cls_lora_dropout': lambda: gpt_case('gpt_cls_lora_dropout', True, 1348, heads=[{'kind': 'classify', 'numLabels': 3, 'pool': 'last'}],
                                             lora={'rank': 4, 'alpha': 8, 'dropout': 0.1, 'targets': 'all-linear'}),
}

if __name__ == '__main__':
    OUT = os.environ.get('GOLDENS_OUT', OUT)  # e.g. a temporary folder, to check that a rerun is byte-identical
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    names = sys.argv[1:] or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        sys.exit(f'unknown case(s) {unknown}; cases: {list(CASES)}')
    for name in names:
        CASES[name]()
