"""Records torchdiffeq's step-by-step behaviour for the tests (torch 2.13.0+cpu, torchdiffeq 0.2.5).

    python torchdiffeq_traces.py w1              # prints W1's first steps and step counts (quoted in
                                                 # Tests/SolversTests/InterpolatedEndpointTests.swift)
    python torchdiffeq_traces.py w3 > w3_torchdiffeq_trace.json
                                                 # ode_demo from the peers' W3 inputs: batch loss of every
                                                 # iteration and the full-trajectory loss every 10, 100
                                                 # iterations, in float32 and float64

Reads ../../../../shared/peers/data (beside the project) unless PEERS_DATA is set.
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.optim as optim
from torchdiffeq import odeint

torch.set_num_threads(1)
DATA = os.environ.get("PEERS_DATA", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                 "../../../../shared/peers/data"))


def w1():
    import torchdiffeq._impl.rk_common as rk
    A = torch.tensor([[-0.1, 2.0], [-2.0, -0.1]], dtype=torch.float64)
    y0 = torch.tensor([2.0, 0.0], dtype=torch.float64)
    t = torch.linspace(0, 25, 1000, dtype=torch.float64)
    counts = {"accepted": 0, "rejected": 0, "nfe": 0}
    first = []
    step = rk.RKAdaptiveStepsizeODESolver._adaptive_step

    def traced(self, state):
        new = step(self, state)
        accepted = float(new.t1) != float(state.t1)
        counts["accepted" if accepted else "rejected"] += 1
        if len(first) < 4:
            first.append(float(state.dt))
        return new

    rk.RKAdaptiveStepsizeODESolver._adaptive_step = traced

    def f(_, y):
        counts["nfe"] += 1
        return torch.matmul(y ** 3, A)

    with torch.no_grad():
        ys = odeint(f, y0, t, rtol=1e-7, atol=1e-9, method="dopri5")
    print(json.dumps({"first_trial_steps": first, **counts, "y_end": ys[-1].tolist()}))


def w3(dtype, iterations=100, test_every=10):
    sd = json.load(open(os.path.join(DATA, "spiral_data.json")))
    init = json.load(open(os.path.join(DATA, "w3_init.json")))
    t = torch.tensor(sd["t"], dtype=dtype)
    true_y = torch.tensor(sd["true_y"], dtype=dtype).unsqueeze(1)
    net = nn.Sequential(nn.Linear(2, 50), nn.Tanh(), nn.Linear(50, 2)).to(dtype)
    with torch.no_grad():
        for layer, key in [(net[0], "l1"), (net[2], "l2")]:
            layer.weight.copy_(torch.tensor(init[key + ".weight"]))
            layer.bias.copy_(torch.tensor(init[key + ".bias"]))

    def f(_, y):
        return net(y ** 3)

    def test_loss():
        with torch.no_grad():
            return float(torch.mean(torch.abs(odeint(f, true_y[0], t) - true_y)))

    optimizer = optim.RMSprop(net.parameters(), lr=1e-3)
    batch_losses, test_losses = [], {"0": test_loss()}
    for itr in range(1, iterations + 1):
        optimizer.zero_grad()
        s = torch.tensor(init["batch_index"][itr - 1])
        batch_y = torch.stack([true_y[s + i] for i in range(10)], dim=0)
        loss = torch.mean(torch.abs(odeint(f, true_y[s], t[:10]) - batch_y))
        loss.backward()
        optimizer.step()
        batch_losses.append(loss.item())
        if itr % test_every == 0:
            test_losses[str(itr)] = test_loss()
    return {"batch_loss": batch_losses, "test_loss": test_losses}


if __name__ == "__main__":
    if sys.argv[1:] == ["w1"]:
        w1()
    elif sys.argv[1:] == ["w3"]:
        print(json.dumps({"source": "torchdiffeq 0.2.5, torch 2.13.0+cpu, 1 thread, ode_demo from the peers' W3 inputs",
                          "float32": w3(torch.float32), "float64": w3(torch.float64)}))
    else:
        sys.exit(__doc__)
