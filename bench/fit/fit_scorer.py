"""Fit the sentence-score weights (listwise softmax) and the confidence model (logistic) on tune_dump.py output.

Usage: python bench/fit/fit_scorer.py OUT.npy   (even-numbered questions train, odd test)
"""

import sys

import numpy as np  # noqa: E401
from sklearn.linear_model import LogisticRegression

R = np.load(sys.argv[1])
q = R[:, 0].astype(int)
out = R[:, 1] > 0
y = R[:, 2]
X = R[:, 3:]
qs = np.unique(q)
tr = qs[qs % 2 == 0]
te = qs[qs % 2 == 1]
base = np.zeros(X.shape[1])


def fit_listwise(idx, iters=600, lr=2.0, l2=1e-3):
    w = base.copy()
    groups = [np.where((q == qi) & ~out)[0] for qi in idx]
    groups = [g for g in groups if y[g].sum() > 0]
    for it in range(iters):
        grad = np.zeros_like(w)
        for g in groups:
            s = X[g] @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            pos = y[g] > 0
            grad += p @ X[g] - (p[pos] @ X[g][pos]) / p[pos].sum()
        w -= lr * (grad / len(groups) + l2 * w)
    return w


w = fit_listwise(tr)
print("w", np.round(w, 3).tolist())
s = X @ w


def best(idx, mode):
    r = []
    for qi in idx:
        m = (q == qi) & (out if mode else ~out)
        if m.sum() == 0:
            r.append((np.nan, 0, np.nan))
            continue
        order = np.argsort(-s[m])
        margin = s[m][order[0]] - s[m][order[1]] if len(order) > 1 else 0.0
        r.append((s[m][order[0]], y[m][order[0]], margin))
    return np.array(r)


def data(idx):
    bi = best(idx, False)
    bo = best(idx, True)
    Xc = np.r_[bi[:, [0, 2]], bo[:, [0, 2]]]
    yc = np.r_[bi[:, 1], np.zeros(len(idx))]
    ok = ~np.isnan(Xc[:, 0])
    return Xc[ok], yc[ok], bi, bo


Xc, yc, *_ = data(tr)
lr = LogisticRegression(C=10).fit(Xc, yc)
a, b = lr.coef_[0]
c = lr.intercept_[0]
print("conf model", round(a, 3), round(b, 3), round(c, 3))
Xt, yt, bi, bo = data(te)
print("test acc (argmax)", np.nanmean(bi[:, 1]))
ci = 1 / (1 + np.exp(-(a * bi[:, 0] + b * bi[:, 2] + c)))
co = 1 / (1 + np.exp(-(a * bo[:, 0] + b * bo[:, 2] + c)))
for th in [0.06, 0.08, 0.1, 0.11, 0.12, 0.13, 0.15, 0.2, 0.3, 0.4, 0.5]:
    answered = ci >= th
    print(
        f"th={th}: answered(in)={answered.mean():.3f} acc-answered={bi[:, 1][answered].mean():.3f}",
        f"rejected(out)={np.mean(co < th):.3f}",
    )
# calibration bins
allc = np.r_[ci, co]
ally = np.r_[bi[:, 1], np.zeros(len(bo))]
for lo in np.arange(0, 1, 0.2):
    m = (allc >= lo) & (allc < lo + 0.2)
    print(f"conf [{lo:.1f},{lo + 0.2:.1f}) n={m.sum()} correct={ally[m].mean() if m.sum() else float('nan'):.3f}")
