"""Training steps per second in PyTorch, for the GPU kit (deploy/measure.sh) and the bench: the
reference CNN (bench/reference_cnn.py), the lab teacher, and the lab student's distillation step
without and with the adversary (bench/lab_models.py; the step of src/engine/run/distillationStep.ts:
teacher forward, classic KD + cross-entropy, the adversary's pull through gradient reversal at
λ = 0.5, then the adversary's own update; Adam as the lab trains).
  python3 bench/torch_steps.py --device cuda|cpu [--threads N] [--precision fp32|default] [--steps N]
                               [--preset lab|tiny] [--workloads reference,teacher,student,student-adversary]
fp32 turns TF32 off (the tfjs backends compute in full fp32); default is PyTorch's own setting.
Prints one JSON line per workload."""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab_models import PRESETS, Adversary, GradReverse, LabNet, trainable_parameters  # noqa: E402
from reference_cnn import Net  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument('--device', default='cuda')
p.add_argument('--threads', type=int, default=0)
p.add_argument('--precision', default='fp32', choices=['fp32', 'default'])
p.add_argument('--steps', type=int, default=20)
p.add_argument('--preset', default='lab', choices=['lab', 'tiny'])
p.add_argument('--workloads', default='reference,teacher,student,student-adversary')
a = p.parse_args()
if a.threads:
    torch.set_num_threads(a.threads)
if a.device == 'cuda':
    if not torch.cuda.is_available():
        print(json.dumps({'skipped': 'CUDA is not available to this PyTorch'}))
        sys.exit(0)
    if a.precision == 'fp32':
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
dev = torch.device(a.device)
torch.manual_seed(0)
cfg = PRESETS[a.preset]


def sync():
    if dev.type == 'cuda':
        torch.cuda.synchronize()


def timed(step):
    for _ in range(3):
        step()
    sync()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    sync()
    return (time.perf_counter() - t0) / a.steps


def reference():
    net = Net().to(dev)
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    x = torch.rand(64, 3, 32, 32, device=dev) * 2 - 1
    y = torch.arange(64, device=dev) % 10

    def step():
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()
    return 64, timed(step), trainable_parameters(net)


def batch_of():
    b, s, c = cfg['batch'], cfg['size'], cfg['classes']
    x = torch.rand(b, 3, s, s, device=dev) * 2 - 1
    y = torch.arange(b, device=dev) % c
    g = (torch.arange(b, device=dev) % 2).float()
    return b, x, y, g


def teacher():
    b, x, y, _ = batch_of()
    net = LabNet(cfg['teacher'], cfg['classes']).to(dev).train()
    opt = torch.optim.Adam(net.parameters(), lr=0.002)

    def step():
        opt.zero_grad()
        F.cross_entropy(net(x)[0], y).backward()
        opt.step()
    return b, timed(step), trainable_parameters(net)


def student(with_adversary):
    b, x, y, g = batch_of()
    c = cfg['classes']
    t = LabNet(cfg['teacher'], c).to(dev).eval()
    s = LabNet(cfg['student'], c).to(dev).train()
    adv = Adversary(c).to(dev)
    opt = torch.optim.Adam(s.parameters(), lr=0.002)
    adv_opt = torch.optim.Adam(adv.parameters(), lr=3e-3)
    one_hot = F.one_hot(y, c).float()
    T, alpha, lam = 4.0, 0.9, 0.5

    def step():
        with torch.no_grad():
            tl = t(x)[0]
        opt.zero_grad()
        sl = s(x)[0]
        kd = F.kl_div(F.log_softmax(sl / T, 1), F.softmax(tl / T, 1), reduction='batchmean') * T * T
        loss = alpha * kd + (1 - alpha) * F.cross_entropy(sl, y)
        if with_adversary:
            probs = F.softmax(sl, 1)
            z = adv(GradReverse.apply(torch.cat([probs, one_hot], 1), lam)).squeeze(1)
            loss = loss + F.binary_cross_entropy_with_logits(z, g)
        loss.backward()
        opt.step()
        if with_adversary:
            adv_opt.zero_grad()
            z = adv(torch.cat([F.softmax(sl.detach(), 1), one_hot], 1)).squeeze(1)
            F.binary_cross_entropy_with_logits(z, g).backward()
            adv_opt.step()
    return b, timed(step), trainable_parameters(s)


WORK = {'reference': reference, 'teacher': teacher, 'student': lambda: student(False),
        'student-adversary': lambda: student(True)}
where = torch.cuda.get_device_name(0) if dev.type == 'cuda' else f'cpu ×{torch.get_num_threads()} threads'
for w in a.workloads.split(','):
    batch, sec, params = WORK[w]()
    print(json.dumps({'workload': w if w == 'reference' else f'{w}-{a.preset}', 'device': where, 'precision':
                      a.precision if dev.type == 'cuda' else 'fp32', 'torch': torch.__version__, 'batch': batch,
                      'params': params, 'imagesPerSecond': batch / sec, 'msPerStep': sec * 1000}), flush=True)
