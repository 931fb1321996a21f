"""Our AdamW against torch.optim.AdamW: same parameters to 1e-6 after 1000 steps of a small regression, on both paths
(foreach, and the fused one-pass kernel), each against torch's own optimizer on the same path."""
import pytest
import torch

from minibert_nb.optim import AdamW


def run(opt_cls, steps=1000, **kw):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    X = torch.randn(256, 8); y = (X[:, :1] * 2 - X[:, 1:2]).sin()
    opt = opt_cls(model.parameters(), **kw)
    for i in range(steps):
        idx = torch.arange(i * 32, i * 32 + 32) % 256
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(X[idx]), y[idx]).backward()
        opt.step()
    return [p.detach().clone() for p in model.parameters()]


@pytest.mark.parametrize("fused", [False, True])
@pytest.mark.parametrize("kw", [dict(lr=1e-3), dict(lr=3e-3, weight_decay=0.1), dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.0)])
def test_matches_torch_adamw(kw, fused):
    ours, ref = run(AdamW, fused=fused, **kw), run(torch.optim.AdamW, fused=fused, **kw)
    assert max((a - b).abs().max().item() for a, b in zip(ours, ref)) <= 1e-6


def test_fused_and_foreach_paths_agree_to_rounding():
    kw = dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.0)
    fused, foreach = run(AdamW, fused=True, **kw), run(AdamW, fused=False, **kw)
    assert max((a - b).abs().max().item() for a, b in zip(fused, foreach)) <= 1e-5


def test_without_bias_correction_differs_and_still_trains():
    ours, ref = run(AdamW, steps=50, lr=1e-3, correct_bias=False), run(torch.optim.AdamW, steps=50, lr=1e-3)
    assert max((a - b).abs().max().item() for a, b in zip(ours, ref)) > 1e-5
