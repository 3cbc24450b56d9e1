"""The peer side of `benchmarks divergence.`: the same 2 -> 64 -> 64 -> 2 tanh field on a batch of 512, the
divergence of every sample computed the way FFJORD does it (exact: one autograd.grad per feature with
create_graph=True; Hutchinson: one autograd.grad with a Rademacher probe), and the gradient of its sum with
respect to the six parameters. float32, one thread; prints milliseconds per call as JSON lines.

    python3 Examples/Peers/divergence_torch.py      # torch 2.13 CPU
"""
import json
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(11)
params = [torch.randn(s) * 0.3 for s in ([64, 2], [64], [64, 64], [64], [2, 64], [2])]
for p in params:
    p.requires_grad_(True)
z0 = torch.randn(512, 2)
noise = torch.randint(0, 2, (512, 2)).float() * 2 - 1


def field(z):
    h = torch.tanh(z @ params[0].T + params[1])
    h = torch.tanh(h @ params[2].T + params[3])
    return h @ params[4].T + params[5]


def divergence(exact):
    z = z0.clone().requires_grad_(True)
    f = field(z)
    if exact:
        total = torch.zeros(z.shape[0])
        for i in range(z.shape[1]):
            row = torch.autograd.grad(f[:, i].sum(), z, create_graph=True)[0]
            total = total + row[:, i]
        return total
    product = torch.autograd.grad(f, z, noise, create_graph=True)[0]
    return (product * noise).sum(dim=1)


for name, exact in (("divergence.exact.mlp", True), ("divergence.hutchinson.mlp", False)):
    def step():
        d = divergence(exact)
        grads = torch.autograd.grad(d.sum(), params, allow_unused=True)
        return float(d.sum()) + float(grads[0].flatten()[0])
    for _ in range(5):
        step()
    times = []
    for _ in range(50):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    times.sort()
    print(json.dumps({"name": name, "peer": f"torch {torch.__version__}", "value": times[len(times) // 2] * 1e3,
                      "unit": "ms"}))
