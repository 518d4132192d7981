"""The bench's reference workload in PyTorch (CPU): the same CNN, batch, loss and optimizer as
bench/referenceCnn.ts. Run as a script it prints one JSON line: images/s over the timed steps;
bench/torch_steps.py imports Net (the GPU kit's CUDA figures).
Run with /usr/bin/python3 (Debian's python3-torch)."""
import json, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

batch, size, classes = 64, 32, 10

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 32, 3, 1, 1, bias=False)
        self.c2 = nn.Conv2d(32, 64, 3, 2, 1, bias=False)  # 'same' for even inputs at stride 2 pads (0,1) in tfjs; cost is the same
        self.c3 = nn.Conv2d(64, 64, 3, 1, 1, groups=64, bias=False)
        self.c4 = nn.Conv2d(64, 128, 1, bias=False)
        self.fc = nn.Linear(128, classes)
    def forward(self, x):
        h = F.relu(self.c1(x)); h = F.relu(self.c2(h)); h = F.relu(self.c3(h)); h = F.relu(self.c4(h))
        return self.fc(h.mean(dim=(2, 3)))

if __name__ == '__main__':
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = Net()
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    x = torch.rand(batch, 3, size, size) * 2 - 1
    y = torch.arange(batch) % classes
    def step():
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()
    for _ in range(5):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    sec = (time.perf_counter() - t0) / steps
    print(json.dumps({"backend": "pytorch-cpu", "torch": torch.__version__, "threads": torch.get_num_threads(), "imagesPerSecond": batch / sec, "msPerStep": sec * 1000}))
