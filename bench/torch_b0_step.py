"""A training step of torchvision's efficientnet_b0 (random weights, a 16-class head) at 224 px, batch 16,
Adam and cross-entropy, on the CPU at a given thread count: the PyTorch side of the bench's B0 pair
(bench/b0Step.ts times the lab's own B0 the same way). Prints one JSON line.
  python3 bench/torch_b0_step.py THREADS STEPS"""
import json
import sys
import time

import torch
import torchvision

threads, steps = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(0)
model = torchvision.models.efficientnet_b0(weights=None, num_classes=16)
model.train()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.randn(16, 3, 224, 224)
y = torch.randint(0, 16, (16,))


def step():
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()


step()  # warm-up
t0 = time.perf_counter()
for _ in range(steps):
    step()
ms = (time.perf_counter() - t0) * 1000 / steps
print(json.dumps({"torch": torch.__version__, "threads": threads, "msPerStep": ms, "imagesPerSecond": 16000 / ms}))
