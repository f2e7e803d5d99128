"""PCA by direct eigendecomposition in float64 (torch.linalg.eigh of the covariance), the reference
for the projector's PCA (src/engine/inspect/pca.ts, subspace iteration + Rayleigh-Ritz). Each case
is a small random matrix with decaying column scales (distinct eigenvalues, so components are
defined up to sign); the test compares eigenvalues and projected coordinates up to each axis's sign.

  /usr/bin/python3 scripts/goldens/make_pca.py   # writes tests/goldens/pca.json
"""
import json
import os
import torch


def case(name, n, d, k, seed):
    g = torch.Generator().manual_seed(seed)
    scales = torch.tensor([1.5 ** -j for j in range(d)], dtype=torch.float64)
    mixing = torch.linalg.qr(torch.randn(d, d, generator=g, dtype=torch.float64))[0]
    x = (torch.randn(n, d, generator=g, dtype=torch.float64) * scales) @ mixing.T + torch.randn(d, generator=g, dtype=torch.float64)
    x = torch.round(x * 1e6) / 1e6  # exact in JSON
    xc = x - x.mean(0)
    cov = xc.T @ xc / (n - 1)
    values, vectors = torch.linalg.eigh(cov)  # ascending
    order = torch.argsort(values, descending=True)[:k]
    w = vectors[:, order]
    return {'name': name, 'n': n, 'd': d, 'k': k, 'x': x.flatten().tolist(),
            'variance': values[order].tolist(), 'varianceRatio': (values[order] / values.sum()).tolist(),
            'coords': (xc @ w).flatten().tolist()}


def main():
    cases = [case('tall 40x6', 40, 6, 3, 1), case('wide 30x48 (subspace iteration)', 30, 48, 3, 2),
             case('rank-deficient 10x20', 10, 20, 2, 3), case('embedding-like 200x32', 200, 32, 3, 4)]
    out = os.path.join(os.path.dirname(__file__), '..', '..', 'tests', 'goldens', 'pca.json')
    with open(out, 'w') as f:
        json.dump({'source': 'scripts/goldens/make_pca.py (torch %s, float64 eigh)' % torch.__version__, 'cases': cases}, f, separators=(',', ':'))
    print('wrote', os.path.normpath(out), len(cases), 'cases')


if __name__ == '__main__':
    main()
