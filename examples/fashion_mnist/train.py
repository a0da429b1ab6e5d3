# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Trains the example networks on Fashion-MNIST and exports them to ONNX.

/usr/bin/python3 examples/fashion_mnist/train.py OUT_DIR [--epochs E]
    [--models a,b] [--train-images N]
"""

import argparse
import os
import sys
import time

import numpy as np
import torch
from torch import nn

import data
import models


def train(name, images, labels, epochs, seed=0):
    torch.manual_seed(seed)
    model = models.MODELS[name]()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=4e-3, total_steps=epochs * (len(images) // 128 + 1))
    x, y = torch.from_numpy(images), torch.from_numpy(labels)
    loss_fn = nn.CrossEntropyLoss()
    steps = len(range(0, len(x), 128))
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(x))
        for step, start in enumerate(range(0, len(x), 128)):
            batch = order[start:start + 128]
            optimizer.zero_grad()
            loss = loss_fn(model(x[batch]), y[batch])
            loss.backward()
            optimizer.step()
            schedule.step()
            if (step + 1) % max(1, steps // 4) == 0 or step + 1 == steps:
                print(f"{name}: training, epoch {epoch + 1}/{epochs}, "
                      f"{min(start + 128, len(x))}/{len(x)} images, loss "
                      f"{loss.item():.3f}", file=sys.stderr, flush=True)
    return model.eval()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--models", default=",".join(models.MODELS))
    parser.add_argument("--train-images", type=int, default=60000)
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    os.makedirs(args.out_dir, exist_ok=True)
    images, labels = data.load("train")
    images, labels = images[:args.train_images], labels[:args.train_images]
    for name in args.models.split(","):
        start = time.time()
        model = train(name, images, labels, args.epochs)
        models.export_onnx(model, os.path.join(args.out_dir, name + ".onnx"))
        test_x, test_y = data.load("test")
        with torch.no_grad():
            logits = model(torch.from_numpy(test_x)).numpy()
        accuracy = (logits.argmax(1) == test_y).mean() * 100
        print(f"{name}: trained in {time.time() - start:.0f}s, PyTorch test "
              f"accuracy {accuracy:.2f}%", flush=True)


if __name__ == "__main__":
    main()
