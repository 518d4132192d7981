"""
The reference for the lab's torchvision EfficientNets and weight readers (efficientnetTorchvision.test.ts):
torchvision's own efficientnet_b0 / efficientnet_b3, randomly initialised with non-trivial batch-norm
statistics, saved as torch.save(model.state_dict()) and as safetensors (the format written here by hand,
from its specification: 8-byte little-endian header length, JSON header, raw little-endian data), with
the logits torchvision computes on fixed images:
  - inference (eval mode);
  - one training-mode forward (batch norm on batch statistics; dropout and stochastic depth off) and
    the weights after one SGD step on the cross-entropy of given labels;
  - the top 5 of a center-cropped, normalised photo, as EfficientNet_B*_Weights.IMAGENET1K_V1.transforms() make it.
Usage: python3 torchvision_reference.py OUTDIR ARCH SIZE [PHOTO]   (ARCH: b0 | b3)
Writes OUTDIR/{model.pth, model.safetensors, reference.json, images.f32}.
"""
import json
import struct
import sys

import torch
import torchvision
from torchvision.models import efficientnet_b0, efficientnet_b3

out, arch, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
photo = sys.argv[4] if len(sys.argv) > 4 else None
torch.manual_seed(1234)
model = {"b0": efficientnet_b0, "b3": efficientnet_b3}[arch](weights=None)
# Non-trivial batch-norm statistics and affine parameters, so a layout or ε mistake shows.
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.2, 0.2)
            m.num_batches_tracked.fill_(7)
        elif isinstance(m, torch.nn.Linear):
            m.bias.uniform_(-0.1, 0.1)
state = model.state_dict()
torch.save(state, f"{out}/model.pth")


def save_safetensors(path, tensors):
    codes = {torch.float32: ("F32", 4), torch.int64: ("I64", 8), torch.float16: ("F16", 2)}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        dtype, item = codes[t.dtype]
        data = t.contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


save_safetensors(f"{out}/model.safetensors", state)

g = torch.Generator().manual_seed(99)
images = torch.randn(2, 3, size, size, generator=g)
# NHWC float32 for the lab.
images.permute(0, 2, 3, 1).contiguous().numpy().tofile(f"{out}/images.f32")
model.eval()
with torch.no_grad():
    logits_eval = model(images)

# The photo, with the saved weights (before the training step below changes them).
photo_reference = None
if photo:
    from PIL import Image
    from torchvision.models import EfficientNet_B0_Weights, EfficientNet_B3_Weights
    weights = {"b0": EfficientNet_B0_Weights, "b3": EfficientNet_B3_Weights}[arch].IMAGENET1K_V1
    with torch.no_grad():
        x = weights.transforms()(Image.open(photo).convert("RGB")).unsqueeze(0)
        probs = torch.softmax(model(x), dim=1)[0]
    top = torch.topk(probs, 5)
    photo_reference = {"indices": top.indices.tolist(), "probabilities": top.values.tolist(),
                          "transform": repr(weights.transforms())}
    x.permute(0, 2, 3, 1).contiguous().numpy().tofile(f"{out}/photo.f32")


# Training mode: batch norm on batch statistics; dropout and stochastic depth off, so both sides agree.
for m in model.modules():
    if isinstance(m, torch.nn.Dropout):
        m.p = 0.0
    if isinstance(m, torchvision.ops.StochasticDepth):
        m.p = 0.0
model.train()
labels = torch.tensor([3, 7])
logits_train = model(images)
loss = torch.nn.functional.cross_entropy(logits_train, labels)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
opt.zero_grad()
loss.backward()
opt.step()
after = model.state_dict()
watched = ["features.0.0.weight", "features.1.0.block.1.fc1.weight", "features.2.0.block.1.0.weight",
           "features.8.1.weight", "classifier.1.weight", "classifier.1.bias", "features.6.0.block.3.1.bias"]
reference = {
    "arch": arch,
    "size": size,
    "params": sum(p.numel() for p in model.parameters()),
    "logitsEval": logits_eval.flatten().tolist(),
    "logitsTrain": logits_train.detach().flatten().tolist(),
    "labels": labels.tolist(),
    "lr": 0.1,
    "loss": loss.item(),
    "after": {k: after[k].flatten()[:64].tolist() for k in watched},
    "torch": torch.__version__,
    "torchvision": torchvision.__version__,
    "photo": photo_reference,
}

with open(f"{out}/reference.json", "w") as f:
    json.dump(reference, f)
