# Writes op-goldens.json: small fixed inputs and PyTorch's float64 outputs and gradients for the
# ops whose semantics could drift from PyTorch (layernorm eps, tanh-GELU, masked attention,
# cross-entropy with ignore_index, AdamW + clip_grad_norm_). Run with Debian's python3-torch:
#   /usr/bin/python3 tests/unit/ops/goldens/make_op_goldens.py
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
torch.set_default_dtype(torch.float64)


def flat(t):
    return [round(float(v), 17) for v in t.detach().reshape(-1).tolist()]


def rand(*shape):
    return torch.randn(*shape)


out = {"torch": torch.__version__}

# layernorm over C with eps 1e-5
N, C = 3, 5
x, g, b, dy = rand(N, C).requires_grad_(), rand(C).requires_grad_(), rand(C).requires_grad_(), rand(N, C)
y = F.layer_norm(x, (C,), g, b, eps=1e-5)
y.backward(dy)
out["layernorm"] = dict(N=N, C=C, x=flat(x), gamma=flat(g), beta=flat(b), dy=flat(dy), y=flat(y), dx=flat(x.grad), dgamma=flat(g.grad), dbeta=flat(b.grad))

# GELU, tanh approximation
x, dy = (rand(11) * 3).requires_grad_(), rand(11)
y = F.gelu(x, approximate="tanh")
y.backward(dy)
out["gelu"] = dict(x=flat(x), dy=flat(dy), y=flat(y), dx=flat(x.grad))

# attention: [B, H, Tq, Tk, D] with causal and key-padding masks (no fully masked rows: torch gives NaN)
def attention(B, H, Tq, Tk, D, causal, kv_len):
    q, k, v = rand(B, H, Tq, D).requires_grad_(), rand(B, H, Tk, D).requires_grad_(), rand(B, H, Tk, D).requires_grad_()
    dy = rand(B, H, Tq, D)
    s = q @ k.transpose(-1, -2) / D**0.5
    mask = torch.zeros(B, 1, Tq, Tk, dtype=torch.bool)
    for bi in range(B):
        mask[bi, :, :, kv_len[bi]:] = True
    if causal:
        mask |= torch.ones(Tq, Tk, dtype=torch.bool).triu(1)
    p = s.masked_fill(mask, float("-inf")).softmax(-1)
    y = p @ v
    y.backward(dy)
    return dict(B=B, H=H, Tq=Tq, Tk=Tk, D=D, causal=causal, kvLen=kv_len, q=flat(q), k=flat(k), v=flat(v), dy=flat(dy),
                probs=flat(p), y=flat(y), dq=flat(q.grad), dk=flat(k.grad), dv=flat(v.grad))


out["attention"] = [attention(2, 2, 5, 5, 3, True, [5, 3]), attention(2, 1, 3, 6, 4, False, [6, 2])]

# cross-entropy, mean over non-ignored rows (ignore_index -1 here, IGNORE_INDEX in the engine)
N, V = 6, 7
logits = (rand(N, V) * 2).requires_grad_()
targets = torch.tensor([3, -1, 0, 6, -1, 2])
loss = F.cross_entropy(logits, targets, ignore_index=-1)
loss.backward()
out["crossentropy"] = dict(N=N, V=V, logits=flat(logits), targets=targets.tolist(), loss=float(loss), dlogits=flat(logits.grad))

# AdamW with two parameter groups (decay 0.1 / 0), clip_grad_norm_(1.0) and a changing lr
n_a, n_b, steps = 6, 4, 5
wa, wb = rand(n_a).requires_grad_(), rand(n_b).requires_grad_()
w0 = flat(torch.cat([wa, wb]))
opt = torch.optim.AdamW([{"params": [wa], "weight_decay": 0.1}, {"params": [wb], "weight_decay": 0.0}], lr=1e-2, betas=(0.9, 0.99), eps=1e-8)
grads, lrs, norms = [], [], []
for step in range(steps):
    ga, gb = rand(n_a) * (0.2 if step == 1 else 1.0), rand(n_b)
    wa.grad, wb.grad = ga.clone(), gb.clone()
    grads.append(flat(torch.cat([ga, gb])))
    norms.append(float(torch.nn.utils.clip_grad_norm_([wa, wb], 1.0)))
    lr = 1e-2 * (step + 1) / steps
    for group in opt.param_groups:
        group["lr"] = lr
    lrs.append(lr)
    opt.step()
out["adamw"] = dict(nDecay=n_a, nNoDecay=n_b, weightDecay=0.1, beta1=0.9, beta2=0.99, eps=1e-8, maxNorm=1.0,
                    w0=w0, grads=grads, lrs=lrs, norms=norms, w=flat(torch.cat([wa, wb])))

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "op-goldens.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path, os.path.getsize(path), "bytes")
