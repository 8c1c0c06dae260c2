#!/usr/bin/env python3
"""Writes the TensorBoard fixture of the test suite with the real `tensorboard` package.

    pip install tensorboard && python3 scripts/make-tensorboard-fixture.py

The run has a known truth: train/loss = 2 + 8·t^-0.35 (times a deterministic ±0.5% ripple),
logged every 10 steps from 10 to 3000 as `simple_value` (how PyTorch's SummaryWriter and
tensorboardX write scalars); lr (cosine from 6e-4 after 100 warm-up steps) and grad_norm beside
it; eval/loss every 100 steps as TF2-style tensor scalars (float_val, tensor_content and
double_val variants, scalars plugin metadata); and an image-like non-scalar summary to skip.
The output is committed; the test suite never runs Python.
"""
import math
import os
import shutil
import struct
import tempfile

from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2
from tensorboard.summary.writer.event_file_writer import EventFileWriter

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "CurveFitTests", "Fixtures", "tensorboard-generated")
NAME = "events.out.tfevents.1700000000.curvefit-fixture.0"


def loss(step):
    return (2 + 8 * step ** -0.35) * (1 + 0.005 * math.sin(step / 7.0))


def lr(step):
    if step <= 100:
        return 6e-4 * step / 100
    u = (step - 100) / (3000 - 100)
    return 6e-5 + (6e-4 - 6e-5) * 0.5 * (1 + math.cos(math.pi * u))


def scalar_metadata():
    return summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"))


def tensor_value(tag, value, variant):
    shape = tensor_shape_pb2.TensorShapeProto()
    if variant == 0:
        tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, tensor_shape=shape, float_val=[value])
    elif variant == 1:
        tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, tensor_shape=shape,
                                        tensor_content=struct.pack("<f", value))
    else:
        tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_DOUBLE, tensor_shape=shape, double_val=[value])
    return summary_pb2.Summary.Value(tag=tag, tensor=tensor, metadata=scalar_metadata())


def main():
    work = tempfile.mkdtemp()
    writer = EventFileWriter(work)
    for step in range(10, 3001, 10):
        values = [
            summary_pb2.Summary.Value(tag="train/loss", simple_value=loss(step)),
            summary_pb2.Summary.Value(tag="lr", simple_value=lr(step)),
            summary_pb2.Summary.Value(tag="grad_norm", simple_value=1.0 + 0.1 * math.cos(step)),
        ]
        writer.add_event(event_pb2.Event(wall_time=1700000000 + step, step=step,
                                         summary=summary_pb2.Summary(value=values)))
        if step % 100 == 0:
            eval_value = tensor_value("eval/loss", loss(step) + 0.05, (step // 100) % 3)
            image = summary_pb2.Summary.Value(tag="samples", image=summary_pb2.Summary.Image(height=1, width=1))
            writer.add_event(event_pb2.Event(wall_time=1700000000 + step, step=step,
                                             summary=summary_pb2.Summary(value=[eval_value, image])))
    writer.close()
    os.makedirs(OUT, exist_ok=True)
    written = [f for f in os.listdir(work) if "tfevents" in f]
    shutil.copy(os.path.join(work, written[0]), os.path.join(OUT, NAME))
    shutil.rmtree(work)
    print(os.path.join(OUT, NAME), os.path.getsize(os.path.join(OUT, NAME)), "bytes")


if __name__ == "__main__":
    main()
