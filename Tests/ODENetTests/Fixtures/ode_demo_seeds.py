"""torchdiffeq's ode_demo (direct, float32) with a given seed: the median full-trajectory loss over
iterations 1500-2000 (evaluated every 20), for comparing with `spirals --seed N --summary-json F`.

    python ode_demo_seeds.py SEED [adjoint]

Reads ../../../../shared/peers/data/spiral_data.json (beside the project). Quoted in the README.
"""
import os, sys, json, numpy as np, torch, torch.nn as nn, torch.optim as optim
from torchdiffeq import odeint, odeint_adjoint
torch.set_num_threads(1)
seed=int(sys.argv[1]); adjoint = len(sys.argv)>2 and sys.argv[2]=='adjoint'
torch.manual_seed(seed); np.random.seed(seed)
sd=json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../../shared/peers/data/spiral_data.json')))
t=torch.tensor(sd['t']); true_y=torch.tensor(sd['true_y']).unsqueeze(1); y0=true_y[0]
class F(nn.Module):
    def __init__(s):
        super().__init__(); s.net=nn.Sequential(nn.Linear(2,50),nn.Tanh(),nn.Linear(50,2))
        for m in s.net.modules():
            if isinstance(m, nn.Linear): nn.init.normal_(m.weight, mean=0, std=0.1); nn.init.constant_(m.bias, val=0)
    def forward(s,t,y): return s.net(y**3)
f=F(); opt=optim.RMSprop(f.parameters(), lr=1e-3); solve = odeint_adjoint if adjoint else odeint
ev={}
for itr in range(1,2001):
    opt.zero_grad(); s=torch.from_numpy(np.random.choice(np.arange(990,dtype=np.int64),20,replace=False))
    by=torch.stack([true_y[s+i] for i in range(10)],0); p=solve(f,true_y[s],t[:10]); loss=torch.mean(torch.abs(p-by)); loss.backward(); opt.step()
    if itr%20==0 and itr>=1500:
        with torch.no_grad(): ev[itr]=float(torch.mean(torch.abs(odeint(f,y0,t)-true_y)))
v=sorted(ev.values()); print(seed, 'adjoint' if adjoint else 'direct', 'median', round(float(np.median(v)),3), 'range', round(v[0],3), round(v[-1],3), flush=True)
