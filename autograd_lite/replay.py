"""Replay a flat graph on a batch: grouped numpy calls, forward and backward.

A :class:`~autograd_lite.trace.FlatGraph` becomes a list of :class:`_Group` steps. Slots
live in two 2-D arrays:

* ``V`` (rows × batch): the placeholders (inputs, targets) and every node that depends
  on them;
* ``P`` (rows × 1): parameters (copied from ``p._data`` at every call), constants, and the
  nodes that depend on parameters and constants only (computed once per call and
  broadcast over the batch).

Nodes with the same primitive, the same depth (longest path from a leaf, counted in
their own array) and the same pattern of inputs needing gradients form one group: the
group's inputs are read with one view or one fancy-indexed gather per operand, its
outputs are a contiguous block of rows, and the primitive's forward runs once on the
whole block (the 11,760 first-layer products of a 784-15-10 network are one multiply).
An n-ary sum group gathers its inputs as a 3-D stack (arity, nodes, batch) and reduces it
in one call. Operands whose rows follow an affine pattern (contiguous, repeated, tiled)
are read as strided views, without copying.

The backward pass walks the groups in reverse and evaluates each local derivative with
``prim.partial(i, args, out, ARRAY)`` from the primitive table, on the whole block; the
products ``g * ∂`` are added to the operands' rows (duplicates summed with a precomputed
sort and ``np.add.reduceat``; batch-invariant rows summed over the batch first).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .primitives import ARRAY
from .trace import FlatGraph
from .value import EngineError

__all__ = ["Plan", "build_plan"]

_F8 = 8  # bytes per float64


# ------------------------------------------------------------------ operand access
def _affine(rows: np.ndarray) -> tuple[int, tuple[int, ...]] | None:
    """(start, strides) when rows[i, j...] == start + Σ strides·index, strides >= 0; else None."""
    start = int(rows.flat[0])
    strides = []
    for ax in range(rows.ndim):
        n = rows.shape[ax]
        if n == 1:
            strides.append(0)
            continue
        idx = [0] * rows.ndim
        idx[ax] = 1
        st = int(rows[tuple(idx)]) - start
        if st < 0:
            return None
        strides.append(st)
    grid = start + sum(np.arange(n).reshape([-1 if a == ax else 1 for a in range(rows.ndim)]) * st
                       for ax, (n, st) in enumerate(zip(rows.shape, strides)))
    if not np.array_equal(np.broadcast_to(grid, rows.shape), rows):
        return None
    return start, tuple(strides)


class _Scatter:
    """Adds rows of a contribution into ``A[rows]``, summing duplicates (precomputed plan)."""

    def __init__(self, rows: np.ndarray) -> None:
        self.rows = rows.ravel()
        order = np.argsort(self.rows, kind="stable")
        srt = self.rows[order]
        uniq, starts = np.unique(srt, return_index=True)
        self.unique = len(uniq) == len(self.rows)
        self.order, self.uniq, self.starts = order, uniq, starts

    def add(self, A: np.ndarray, c: np.ndarray) -> None:
        """``c``: shape (len(rows), width) or broadcastable to it."""
        width = A.shape[1]
        if c.shape[-1] != width:         # batch-invariant rows: sum the batch first
            c = c.sum(axis=-1, keepdims=True)
        c = np.broadcast_to(c, (len(self.rows), width))
        if self.unique:
            A[self.rows] += c
        else:
            A[self.uniq] += np.add.reduceat(c[self.order], self.starts, axis=0)


class _Access:
    """One operand of a group: reads its values (forward), adds its gradient (backward).

    ``shape`` is the group's compute shape (without the batch axis); ``in_v``/``rows``
    say where each element lives (V or P, and which row).
    """

    def __init__(self, in_v: np.ndarray, rows: np.ndarray) -> None:
        self.shape = rows.shape
        self.kind = "v" if in_v.all() else ("p" if not in_v.any() else "mixed")
        self.view = None
        if self.kind != "mixed":
            aff = _affine(rows)
            if aff is not None:
                start, strides = aff
                self.view = (start, strides)
                reduce_axes = tuple(a for a, st in enumerate(strides) if st == 0 and self.shape[a] > 1)
                kept = [a for a in range(len(strides)) if a not in reduce_axes and self.shape[a] > 1]
                n_kept = int(np.prod([self.shape[a] for a in kept])) if kept else 1
                injective = len(np.unique(rows)) == n_kept
                self.reduce_axes = reduce_axes if injective else None
            self.scatter = _Scatter(rows)
            self.rows = rows
        else:
            self.mask = in_v
            self.v_rows, self.p_rows = rows[in_v], rows[~in_v]
            self.v_scatter, self.p_scatter = _Scatter(self.v_rows), _Scatter(self.p_rows)

    def _strided(self, A: np.ndarray) -> np.ndarray:
        start, strides = self.view
        row = A.strides[0]
        return as_strided(A[start:], shape=self.shape + (A.shape[1],),
                          strides=tuple(st * row for st in strides) + (A.strides[1],), writeable=False)

    def get(self, V: np.ndarray, P: np.ndarray) -> np.ndarray:
        if self.kind == "mixed":
            out = np.empty(self.shape + (V.shape[1],))
            out[self.mask] = V[self.v_rows]
            out[~self.mask] = P[self.p_rows]
            return out
        A = V if self.kind == "v" else P
        if self.view is not None:
            return self._strided(A)
        return A[self.rows]

    def add(self, GV: np.ndarray, GP: np.ndarray, c: np.ndarray) -> None:
        full = self.shape + (c.shape[-1],)
        if self.kind == "mixed":
            c = np.broadcast_to(c, full)
            self.v_scatter.add(GV, c[self.mask])
            self.p_scatter.add(GP, c[~self.mask])
            return
        A = GV if self.kind == "v" else GP
        if self.view is not None and self.reduce_axes is not None:
            if self.reduce_axes:
                c = np.broadcast_to(c, full).sum(axis=self.reduce_axes, keepdims=True)
            if c.shape[-1] != A.shape[1]:
                c = c.sum(axis=-1, keepdims=True)
            start, strides = self.view
            shape = tuple(1 if a in self.reduce_axes else n for a, n in enumerate(self.shape))
            st = tuple(0 if a in self.reduce_axes else s for a, s in enumerate(strides))
            target = as_strided(A[start:], shape=shape + (A.shape[1],),
                                strides=tuple(s * A.strides[0] for s in st) + (A.strides[1],))
            target += c
            return
        self.scatter.add(A, np.broadcast_to(c, full).reshape(-1, c.shape[-1]))


# ------------------------------------------------------------------ groups
class _Group:
    """Nodes of one primitive at one depth: one forward call, one partial per operand."""

    def __init__(self, prim, in_v_out: bool, start: int, out_shape: tuple[int, ...],
                 operands: list[_Access], need: tuple[bool, ...], node_ids: np.ndarray) -> None:
        self.prim = prim
        self.nary = prim.arity == -1
        self.in_v = in_v_out
        self.start, self.stop = start, start + int(np.prod(out_shape))
        self.out_shape = out_shape
        self.operands = operands
        self.need = need
        self.any_need = any(need)
        self.node_ids = node_ids       # flat-graph node indices, in output-row order

    def out(self, A: np.ndarray) -> np.ndarray:
        return A[self.start:self.stop].reshape(self.out_shape + (A.shape[1],))

    def forward(self, V: np.ndarray, P: np.ndarray) -> list[np.ndarray]:
        args = [acc.get(V, P) for acc in self.operands]
        res = self.prim.forward(args[0], ARRAY) if self.nary else self.prim.forward(*args, ARRAY)
        target = self.out(V if self.in_v else P)
        target[...] = res
        return args

    def backward(self, V, P, GV, GP, args: list[np.ndarray], careful: bool = False) -> None:
        """Add ``g * ∂out/∂operand`` to every operand that needs a gradient.

        ``careful`` (after a floating-point error): like the eager pass, an example whose
        gradient reaching a node is exactly 0 contributes nothing, even where the local
        derivative is not finite; anything else non-finite raises EngineError.
        """
        A, GA = (V, GV) if self.in_v else (P, GP)
        g = self.out(GA)
        out = self.out(A)
        contribs = []
        for i, acc in enumerate(self.operands):
            if not self.need[i]:
                continue
            if self.nary:
                d = self.prim.partial(0, (args[0],), out, ARRAY)
                gg = g[None]
            else:
                d = self.prim.partial(i, args, out, ARRAY)
                gg = g
            c = gg if (type(d) is float and d == 1.0) else gg * d
            if careful:
                c = np.where(gg == 0.0, 0.0, c)
                bad = ~np.isfinite(c)
                if bad.any():
                    raise EngineError(self.describe(np.argwhere(bad)[0], args, V, P, "backward through ",
                                                    "the local derivative has no finite value"))
            contribs.append((acc, c))
        for acc, c in contribs:
            acc.add(GV, GP, c)

    def describe(self, where, args, V, P, prefix: str, what: str) -> str:
        """A message naming the op, the example and the operand values at ``where`` (an index)."""
        where = tuple(int(w) for w in where)
        example = where[-1] if self.in_v else None
        elem = where[:-1]
        vals = []
        for a in args:
            a = np.broadcast_to(a, self.operands[0].shape + (a.shape[-1],)) if not self.nary else a
            if self.nary:
                col = a[(slice(None),) + elem[-1:] + (min(where[-1], a.shape[-1] - 1),)]
                more = ", ...]" if len(col) > 6 else "]"
                vals.append("[" + ", ".join(repr(float(x)) for x in col[:6]) + more)
            else:
                vals.append(repr(float(a[elem + (min(where[-1], a.shape[-1] - 1),)])))
        at = f" for example {example} of the batch" if example is not None else ""
        return f"{prefix}{self.prim.name}({', '.join(vals)}){at}: {what}"

    def forward_error(self, V, P, err: BaseException) -> EngineError:
        """Re-run the group without raising, to name the example and operands that failed."""
        with np.errstate(all="ignore"):
            args = [acc.get(V, P) for acc in self.operands]
            res = self.prim.forward(args[0], ARRAY) if self.nary else self.prim.forward(*args, ARRAY)
            res = np.broadcast_to(res, self.out_shape + (res.shape[-1],))
        bad = np.argwhere(~np.isfinite(res))
        where = bad[0] if len(bad) else np.zeros(len(self.out_shape) + 1, dtype=np.int64)
        return EngineError(self.describe(where, args, V, P, "", f"has no finite value ({err})"))


class Plan:
    """The grouped program: row layout of V and P, and the ordered groups."""

    def __init__(self, flat: FlatGraph, groups: list[_Group], n_v: int, n_p: int,
                 out_in_v: np.ndarray, out_rows: np.ndarray) -> None:
        self.flat = flat
        self.groups = groups
        self.n_v, self.n_p = n_v, n_p
        self.out_in_v, self.out_rows = out_in_v, out_rows
        self.n_params = len(flat.params)
        self.const_values = np.asarray(flat.consts, dtype=np.float64)

    # -------------------------------------------------------------- running
    def _fill_p(self) -> np.ndarray:
        P = np.empty((self.n_p, 1))
        n = self.n_params
        P[:n, 0] = [p._data for p in self.flat.params]
        P[n:n + len(self.const_values), 0] = self.const_values
        return P

    def run(self, XY: np.ndarray, want_grad: bool, anomaly: bool = False
            ) -> tuple[np.ndarray, np.ndarray | None]:
        """Forward (and backward) on one chunk. ``XY``: (n_placeholders, batch).

        Returns the outputs (n_out, batch) and, with ``want_grad``, the parameter
        gradients of output 0 summed over the batch. Floating-point errors (overflow,
        division by zero, invalid results) raise EngineError naming the op and example;
        with ``anomaly`` every group's result is also checked to be finite.
        """
        B = XY.shape[1]
        V = np.empty((self.n_v, B))
        V[:XY.shape[0]] = XY
        P = self._fill_p()
        saved = []
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            for grp in self.groups:
                try:
                    args = grp.forward(V, P)
                except FloatingPointError as e:
                    raise grp.forward_error(V, P, e) from None
                if anomaly:
                    res = grp.out(V if grp.in_v else P)
                    bad = np.argwhere(~np.isfinite(res))
                    if len(bad):
                        raise EngineError(grp.describe(bad[0], args, V, P, "detect_anomaly: ",
                                                       "result is not finite"))
                saved.append(args if (want_grad and grp.any_need) else None)
            outs = np.empty((len(self.out_rows), B))
            for j, (v, r) in enumerate(zip(self.out_in_v, self.out_rows)):
                outs[j] = V[r] if v else P[r, 0]
            if not want_grad:
                return outs, None
            GV = np.zeros((self.n_v, B))
            GP = np.zeros((self.n_p, 1))
            r = self.out_rows[0]
            if self.out_in_v[0]:
                GV[r] += 1.0
            else:
                GP[r] += float(B)
            for grp, args in zip(reversed(self.groups), reversed(saved)):
                if args is None:
                    continue
                try:
                    grp.backward(V, P, GV, GP, args)
                except FloatingPointError:
                    with np.errstate(all="ignore"):
                        grp.backward(V, P, GV, GP, args, careful=True)
        grads = GP[:self.n_params, 0].copy()
        if anomaly and not np.isfinite(grads).all():
            j = int(np.argwhere(~np.isfinite(grads))[0, 0])
            raise EngineError(f"detect_anomaly: the gradient of params[{j}] is {grads[j]!r}")
        return outs, grads


# ------------------------------------------------------------------ building
def build_plan(flat: FlatGraph) -> Plan:
    """Lay out rows and group the nodes of ``flat`` (see the module docstring)."""
    nph, npar, nc = flat.n_placeholders, len(flat.params), len(flat.consts)
    first = flat.first_node
    n_slots = first + len(flat.nodes)
    in_v = np.zeros(n_slots, dtype=bool)
    in_v[:nph] = True
    needs = np.zeros(n_slots, dtype=bool)
    needs[nph:nph + npar] = True
    depth = np.zeros(n_slots, dtype=np.int64)
    keys = []
    for k, (prim, args) in enumerate(flat.nodes):
        s = first + k
        v = any(in_v[a] for a in args)
        in_v[s] = v
        needs[s] = any(needs[a] for a in args)
        depth[s] = 1 + max((depth[a] for a in args if in_v[a] == v and a >= first), default=0)
        pattern = (bool(needs[s]),) if prim.arity == -1 else tuple(bool(needs[a]) for a in args)
        keys.append((not v, int(depth[s]), prim.name, len(args) if prim.arity == -1 else 0, pattern))
    # Rows: P = params, consts, P-nodes; V = placeholders, V-nodes; groups in order.
    by_key: dict[tuple, list[int]] = {}
    for k, key in enumerate(keys):
        by_key.setdefault(key, []).append(k)
    # P-groups first (not v -> True sorts after False, so sort on in_v flag explicitly).
    order = sorted(by_key, key=lambda key: (not key[0], key[1], key[2], key[3], key[4]))
    row = np.zeros(n_slots, dtype=np.int64)
    row[:nph] = np.arange(nph)
    row[nph:nph + npar] = np.arange(npar)
    row[nph + npar:first] = npar + np.arange(nc)
    next_v, next_p = nph, npar + nc
    layout = []
    for key in order:
        ks = np.asarray(by_key[key], dtype=np.int64)
        v = not key[0]
        start = next_v if v else next_p
        row[first + ks] = start + np.arange(len(ks))
        if v:
            next_v += len(ks)
        else:
            next_p += len(ks)
        layout.append((key, ks, v, start))
    groups = []
    for key, ks, v, start in layout:
        prim = flat.nodes[ks[0]][0]
        args = np.asarray([flat.nodes[k][1] for k in ks], dtype=np.int64)   # (k, arity)
        if prim.arity == -1:
            ref = args.T                                                    # (arity, k)
            operands = [_Access(in_v[ref], row[ref])]
            need = (key[4][0],)
        else:
            operands = [_Access(in_v[args[:, i]], row[args[:, i]]) for i in range(args.shape[1])]
            need = key[4]
        groups.append(_Group(prim, v, start, (len(ks),), operands, need, ks))
    outs = np.asarray(flat.outputs, dtype=np.int64)
    return Plan(flat, groups, next_v, next_p, in_v[outs], row[outs])
