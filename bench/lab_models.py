"""The lab's models in PyTorch, written the same way as src/engine/models/efficientnet.ts and
adversary.ts, so a GPU figure compares like with like: EfficientNet-style MBConv blocks with
squeeze-excitation and swish, batch norm (epsilon 1e-3, momentum 0.1 = tfjs's 0.9), no bias in
the convolutions but the squeeze-excitation's, the architectures of src/engine/models/architectures.ts.
'same' padding is symmetric here (tfjs pads stride-2 convolutions of even inputs by (0, 1)): the same
work and parameters. `python3 bench/lab_models.py` prints each preset model's trainable parameters,
which the GPU kit checks against the tfjs models' own count."""
import json
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

LAB = dict(stem=16, stem_stride=1, head=256, stages=[
    # expand, channels, repeats, kernel, stride
    (1, 16, 1, 3, 1), (4, 24, 2, 3, 2), (4, 40, 2, 5, 2), (4, 64, 2, 3, 2)])
TINY = dict(stem=8, stem_stride=1, head=32, stages=[(1, 8, 1, 3, 1), (3, 16, 1, 3, 2)])
MODELS = {
    'lab-teacher': (LAB, 1.2, 1.4), 'lab-student': (LAB, 0.5, 1.0),
    'tiny-teacher': (TINY, 2.0, 2.0), 'tiny-student': (TINY, 0.5, 1.0), 'small-student': (TINY, 1.0, 1.0),
}
# The presets' image size, classes and batch (src/engine/presets.ts, src/engine/data/synthetic.ts).
PRESETS = {'lab': dict(size=32, classes=8, batch=64, teacher='lab-teacher', student='lab-student'),
           'tiny': dict(size=16, classes=4, batch=32, teacher='tiny-teacher', student='tiny-student')}


def round_filters(channels, width, divisor=8):
    scaled = channels * width
    rounded = max(divisor, math.floor((scaled + divisor / 2) / divisor) * divisor)
    if rounded < 0.9 * scaled:
        rounded += divisor
    return int(rounded)


def bn(c):
    return nn.BatchNorm2d(c, eps=1e-3, momentum=0.1)


class MBConv(nn.Module):
    def __init__(self, in_ch, out, expand, kernel, stride):
        super().__init__()
        mid = in_ch * expand
        self.expand = nn.Sequential(nn.Conv2d(in_ch, mid, 1, bias=False), bn(mid), nn.SiLU()) if expand != 1 else None
        self.dw = nn.Sequential(nn.Conv2d(mid, mid, kernel, stride, kernel // 2, groups=mid, bias=False), bn(mid), nn.SiLU())
        squeezed = max(1, int(math.floor(in_ch * 0.25)))
        self.se = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(mid, squeezed, 1), nn.SiLU(),
                                nn.Conv2d(squeezed, mid, 1), nn.Sigmoid())
        self.project = nn.Sequential(nn.Conv2d(mid, out, 1, bias=False), bn(out))
        self.residual = stride == 1 and in_ch == out

    def forward(self, x):
        h = self.expand(x) if self.expand is not None else x
        h = self.dw(h)
        h = self.project(h * self.se(h))
        return h + x if self.residual else h


class LabNet(nn.Module):
    """Returns [logits, embedding] as the tfjs models do."""

    def __init__(self, model_id, classes):
        super().__init__()
        arch, width, depth = MODELS[model_id]
        stem = round_filters(arch['stem'], width)
        layers = [nn.Conv2d(3, stem, 3, arch['stem_stride'], 1, bias=False), bn(stem), nn.SiLU()]
        ch = stem
        for expand, channels, repeats, kernel, stride in arch['stages']:
            out = round_filters(channels, width)
            for r in range(int(math.ceil(repeats * depth))):
                layers.append(MBConv(ch, out, expand, kernel, stride if r == 0 else 1))
                ch = out
        head = round_filters(arch['head'], width)
        layers += [nn.Conv2d(ch, head, 1, bias=False), bn(head), nn.SiLU()]
        self.features = nn.Sequential(*layers)
        self.logits = nn.Linear(head, classes)

    def forward(self, x):
        embedding = self.features(x).mean(dim=(2, 3))
        return self.logits(embedding), embedding


class Adversary(nn.Module):
    """The adversary of src/engine/models/adversary.ts: the student's probabilities (and, for equalized
    odds, the one-hot label) → 32 ReLU → the group's logit."""

    def __init__(self, classes, hidden=32, equalized_odds=True):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(classes * (2 if equalized_odds else 1), hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, x):
        return self.net(x)


class GradReverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, lam):
        ctx.lam = lam
        return x.view_as(x)

    @staticmethod
    def backward(ctx, g):
        return -ctx.lam * g, None


def trainable_parameters(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


if __name__ == '__main__':
    print(json.dumps({m: trainable_parameters(LabNet(m, PRESETS['lab' if m.startswith('lab') else 'tiny']['classes']))
                      for m in MODELS}))
