"""Replay a flat graph on a batch: grouped numpy calls, forward and backward.

A :class:`~autograd_lite.trace.FlatGraph` becomes a list of :class:`_Group` steps. Slots
live in two 2-D arrays:

* ``V`` (rows × batch): the placeholders (inputs, targets) and every node that depends
  on them;
* ``P`` (rows × 1): parameters (copied from ``p._data`` at every call), constants, and the
  nodes that depend on parameters and constants only (computed once per call and
  broadcast over the batch).

Nodes with the same primitive, the same depth (longest path from a leaf, counted in
their own array) and the same pattern of inputs needing gradients form one group: its
outputs are a contiguous block of rows, each operand is read with one strided view (rows
in an affine pattern: contiguous, repeated, tiled, transposed; the group gets a 2-D shape
when that makes its operands affine) or one fancy-indexed gather, and the primitive's
forward runs once on the whole block: the 11,760 first-layer products of a 784-15-10
network are one multiply. An n-ary sum reads its inputs in column blocks (e.g. the 784
products as one (784, 15, batch) view, then the biases) and reduces each in one call.

The backward pass walks the groups in reverse and evaluates each local derivative with
``prim.partial(i, args, out, ARRAY)`` from the primitive table, on the whole block, then
sends ``g * ∂`` back to the operands' rows: assigned on the first write (no zero fill),
duplicates summed with a precomputed sort and ``np.add.reduceat``, batch-invariant rows
summed over the batch (as one matrix product when the factors vary along different axes).
Two copies are avoided where the plan proves them unneeded: a big group read only through
views keeps the array its forward returned (``_plan_own_storage``), and a group whose only
consumer covers it exactly takes that consumer's contribution as its gradient, often a
broadcast never written out (``_plan_aliases``).

Before grouping, left-nested chains of ``+`` are folded into n-ary sums (``_fold_add_chains``).
Arrays and views are made once per batch size and thread (:class:`_Workspace`).
"""

from __future__ import annotations

import math
import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .primitives import ARRAY, PRIMITIVES
from .trace import FlatGraph
from .value import EngineError

__all__ = ["Plan", "build_plan"]

_ADD = PRIMITIVES["add"]


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
    """Writes rows of a contribution into ``A[rows]``, summing duplicates (precomputed plan)."""

    def __init__(self, rows: np.ndarray) -> None:
        self.rows = rows.ravel()
        order = np.argsort(self.rows, kind="stable")
        srt = self.rows[order]
        uniq, starts = np.unique(srt, return_index=True)
        self.unique = len(uniq) == len(self.rows)
        self.order, self.uniq, self.starts = order, uniq, starts

    def add(self, A: np.ndarray, c: np.ndarray, assign: bool) -> None:
        """``c``: broadcastable to (len(rows), width); ``assign``: the rows hold nothing yet."""
        width = A.shape[1]
        if c.shape[-1] != width:         # batch-invariant rows: sum the batch first
            c = c.sum(axis=-1, keepdims=True)
        c = np.broadcast_to(c, (len(self.rows), width))
        if self.unique:
            if assign:
                A[self.rows] = c
            else:
                A[self.rows] += c
        elif assign:
            A[self.uniq] = np.add.reduceat(c[self.order], self.starts, axis=0)
        else:
            A[self.uniq] += np.add.reduceat(c[self.order], self.starts, axis=0)


def _strided(A: np.ndarray, start: int, strides: tuple[int, ...], shape: tuple[int, ...],
             writeable: bool) -> np.ndarray:
    return as_strided(A[start:], shape=shape + (A.shape[1],),
                      strides=tuple(st * A.strides[0] for st in strides) + (A.strides[1],),
                      writeable=writeable)


class _Access:
    """One operand of a group: where its values live and how its gradient gets back there.

    ``shape`` is the group's compute shape (without the batch axis); ``in_v``/``rows``
    say where each element lives (V or P, and which row). ``bind`` makes the per-workspace
    reader and writer (views are made once per workspace, not per call).
    """

    def __init__(self, in_v: np.ndarray, rows: np.ndarray) -> None:
        self.shape = rows.shape
        self.kind = "v" if in_v.all() else ("p" if not in_v.any() else "mixed")
        self.view = None
        self.reduce_axes = None
        self.assign = False             # set by the plan: first write to these gradient rows
        self.alias = None               # set by the plan: (group index, axis order), see _plan_aliases
        self.src = None                 # set by the plan: (group index, offset), see _plan_own_storage
        if self.kind != "mixed":
            aff = _affine(rows)
            if aff is not None:
                start, strides = aff
                self.view = (start, strides)
                reduce_axes = tuple(a for a, st in enumerate(strides) if st == 0 and self.shape[a] > 1)
                kept = [a for a in range(len(strides)) if a not in reduce_axes and self.shape[a] > 1]
                n_kept = int(np.prod([self.shape[a] for a in kept])) if kept else 1
                if len(np.unique(rows)) == n_kept:
                    self.reduce_axes = reduce_axes
            self.scatter = _Scatter(rows)
            self.rows = rows
        else:
            self.mask = in_v
            self.v_rows, self.p_rows = rows[in_v], rows[~in_v]
            self.v_scatter, self.p_scatter = _Scatter(self.v_rows), _Scatter(self.p_rows)

    def v_rows_written(self) -> np.ndarray:
        """The V rows this operand's gradient goes to."""
        if self.kind == "v":
            return np.unique(self.rows)
        return np.unique(self.v_rows) if self.kind == "mixed" else np.zeros(0, dtype=np.int64)

    def bind(self, V: np.ndarray, P: np.ndarray, GV: np.ndarray, GP: np.ndarray, bound: list):
        """(get, add): get() -> the operand's values; add(c) sends a contribution back.

        ``bound``: the groups bound so far (an aliased gradient is handed to its owner).
        """
        shape = self.shape
        if self.kind == "mixed":
            mask, not_mask, v_rows, p_rows = self.mask, ~self.mask, self.v_rows, self.p_rows
            v_scatter, p_scatter, assign = self.v_scatter, self.p_scatter, self.assign

            def get():
                out = np.empty(shape + (V.shape[1],))
                out[mask] = V[v_rows]
                out[not_mask] = P[p_rows]
                return out

            def add(c):
                c = np.broadcast_to(c, shape + (c.shape[-1],))
                v_scatter.add(GV, c[mask], assign)
                p_scatter.add(GP, c[not_mask], False)
            return get, add

        A, GA = (V, GV) if self.kind == "v" else (P, GP)
        if self.src is not None:           # rows of a group that keeps its own result array
            owner, offset = bound[self.src[0]], self.src[1]
            strides = self.view[1]

            def get():
                return _strided(owner.res2, offset, strides, shape, False)
        elif self.view is not None:
            start, strides = self.view
            value = _strided(A, start, strides, shape, False)
            get = lambda: value
        else:
            rows = self.rows
            get = lambda: A[rows]
        assign = self.assign and self.kind == "v"
        if self.alias is not None:
            owner, order = bound[self.alias[0]], self.alias[1]
            full = shape + (GA.shape[1],)
            gshape = owner.g.shape

            identity = order == tuple(range(len(order)))

            def add(c):
                # the owner's gradient IS this contribution (maybe a broadcast): no array written
                if c.shape != full:
                    c = np.broadcast_to(c, full)
                if not identity:
                    c = c.transpose(order)
                owner.g_alias = c if c.shape == gshape else c.reshape(gshape)
            return get, add
        if self.view is not None and self.reduce_axes is not None:
            red = self.reduce_axes
            start, strides = self.view
            tshape = tuple(1 if a in red else n for a, n in enumerate(shape))
            tstrides = tuple(0 if a in red else st for a, st in enumerate(strides))
            target = _strided(GA, start, tstrides, tshape, True)
            narrow = GA.shape[1] == 1

            def add(c):
                if red:
                    c = np.broadcast_to(c, shape + (c.shape[-1],)).sum(axis=red, keepdims=True)
                if narrow and c.shape[-1] != 1:
                    c = c.sum(axis=-1, keepdims=True)
                if assign:
                    target[...] = c
                else:
                    np.add(target, c, out=target)
            return get, add
        scatter = self.scatter

        def add(c):
            c = np.broadcast_to(c, shape + (c.shape[-1],)).reshape(-1, c.shape[-1])
            scatter.add(GA, c, assign)
        return get, add


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
        self.own = False               # set by the plan: results kept as the forward's own array

    def bind(self, ws: _Workspace) -> _Bound:
        return _Bound(self, ws)


class _Bound:
    """A group bound to a workspace: its views are made once, its steps run at every call."""

    def __init__(self, grp: _Group, ws: _Workspace) -> None:
        self.grp = grp
        self.prim = grp.prim
        self.ws = ws
        A, GA = (ws.V, ws.GV) if grp.in_v else (ws.P, ws.GP)
        W = A.shape[1]
        self.out = A[grp.start:grp.stop].reshape(grp.out_shape + (W,))
        self.g = GA[grp.start:grp.stop].reshape(grp.out_shape + (W,))
        self.g_alias = None
        accs = [acc.bind(ws.V, ws.P, ws.GV, ws.GP, ws.groups) for acc in grp.operands]
        self.getters = [a[0] for a in accs]
        self.adders = [a[1] for a in accs]
        self.sum_blocks = isinstance(grp, _SumGroup)
        self.in_v = grp.in_v

    def forward(self) -> list[np.ndarray]:
        args = [get() for get in self.getters]
        prim = self.prim
        if self.sum_blocks:
            parts = [prim.forward(a, ARRAY) for a in args]
            res = parts[0]
            for part in parts[1:]:          # a sum of block sums: the add rule
                res = _ADD.forward(res, part, ARRAY)
        elif self.grp.nary:
            res = prim.forward(args[0], ARRAY)
        else:
            res = prim.forward(*args, ARRAY)
        if self.grp.own:
            full = self.out.shape
            if res.shape != full or not res.flags.c_contiguous:
                res = np.ascontiguousarray(np.broadcast_to(res, full))
            self.out = res
            self.res2 = res.reshape(-1, full[-1])
        else:
            self.out[...] = res
        return args

    def backward(self, args: list[np.ndarray], careful: bool = False) -> None:
        """Send ``g * ∂out/∂operand`` to every operand that needs a gradient.

        ``careful`` (after a floating-point error): like the eager pass, an example whose
        gradient reaching a node is exactly 0 contributes nothing, even where the local
        derivative is not finite; anything else non-finite raises EngineError.
        """
        grp, prim, out = self.grp, self.prim, self.out
        nary = grp.nary
        g = self.g if self.g_alias is None else self.g_alias
        if nary:
            g = g[None]
        contribs = []
        for i, add in enumerate(self.adders):
            if not grp.need[i]:
                continue
            if self.sum_blocks:
                d = prim.partial(0, (args[i],), out, ARRAY)
            elif nary:
                d = prim.partial(0, (args[0],), out, ARRAY)
            else:
                d = prim.partial(i, args, out, ARRAY)
            if (not careful and self.in_v and type(d) is not float and grp.operands[i].kind == "p"
                    and d.shape[-1] == g.shape[-1] > 1):
                # a batch-invariant operand: only Σ_batch g·∂ is needed, not the product array
                c = _batch_dot(g, d)
            else:
                c = g if (type(d) is float and d == 1.0) else g * d
            if careful:
                c = np.where(g == 0.0, 0.0, c)
                bad = ~np.isfinite(c)
                if bad.any():
                    raise EngineError(self.describe(np.argwhere(bad)[0], args, "backward through ",
                                                    "the local derivative has no finite value"))
            contribs.append((add, c))
        for add, c in contribs:
            add(c)

    def describe(self, where, args, prefix: str, what: str) -> str:
        """A message naming the op, the example and the operand values at ``where`` (an index)."""
        grp = self.grp
        where = tuple(int(w) for w in where)
        b = where[-1]
        elem = where[:-1]
        vals = []
        for a in args:
            if grp.nary:      # a (arity, nodes, batch) stack: show the node's inputs
                col = a[(slice(None),) + elem[-1:] + (min(b, a.shape[-1] - 1),)]
                more = ", ...]" if len(col) > 6 else "]"
                vals.append("[" + ", ".join(repr(float(x)) for x in col[:6]) + more)
            else:
                a = np.broadcast_to(a, grp.out_shape + (a.shape[-1],))
                vals.append(repr(float(a[elem[-len(grp.out_shape):] + (min(b, a.shape[-1] - 1),)])))
        at = f" for example {b} of the batch" if grp.in_v else ""
        return f"{prefix}{self.prim.name}({', '.join(vals)}){at}: {what}"

    def forward_error(self, err: BaseException) -> EngineError:
        """Re-run the group without raising, to name the example and operands that failed."""
        with np.errstate(all="ignore"):
            args = self.forward()
        bad = np.argwhere(~np.isfinite(self.out))
        where = bad[0] if len(bad) else np.zeros(self.out.ndim, dtype=np.int64)
        return EngineError(self.describe(where, args, "", f"has no finite value ({err})"))


def _batch_dot(g: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Σ over the batch (last) axis of ``g * d``, batch axis kept as size 1.

    Axes along which an operand is broadcast (size 1 or stride 0) are not expanded: when
    ``g`` and ``d`` vary along different axes this is one matrix product (BLAS), e.g. the
    gradients of a layer's sums against the layer's inputs.
    """
    nd = max(g.ndim, d.ndim) - 1
    shape = np.broadcast_shapes(g.shape, d.shape)
    if math.prod(shape) < 1 << 15:                    # small: the plain product is cheaper
        return (g * d).sum(axis=-1, keepdims=True)
    subs, ops = [], []
    for a in (g, d):
        if a.ndim <= nd:
            a = a.reshape((1,) * (nd + 1 - a.ndim) + a.shape)
        keep = [k for k in range(nd) if a.shape[k] > 1 and a.strides[k] != 0]
        ops.append(a[tuple(slice(None) if k in keep else 0 for k in range(nd))])
        subs.append(keep)
    sg, sd = subs
    if not set(sg) & set(sd):
        r = np.tensordot(ops[0], ops[1], axes=([-1], [-1]))
        have = sg + sd
    else:
        have = sorted(set(sg) | set(sd))
        letters = "abcdefghijklmnopqrstuvwxy"
        spec = ("".join(letters[k] for k in sg) + "z," + "".join(letters[k] for k in sd) + "z->"
                + "".join(letters[k] for k in have))
        r = np.einsum(spec, ops[0], ops[1])
    if len(have) > 1:
        r = r.transpose(np.argsort(have))
    return r.reshape(tuple(shape[k] if k in have else 1 for k in range(nd)) + (1,))


class _SumGroup(_Group):
    """An n-ary sum group whose inputs are read in column blocks (e.g. the products, then the bias).

    Each block is one strided view or gather, reduced by the primitive's forward; the
    block results are then reduced by the same forward (a sum of sums).
    """


class _Workspace:
    """The arrays of one batch size (values and gradients), with every group bound to them."""

    def __init__(self, plan: Plan, B: int) -> None:
        self.V = np.zeros((plan.n_v, B))
        self.P = np.zeros((plan.n_p, 1))
        self.GV = np.zeros((plan.n_v, B))
        self.GP = np.zeros((plan.n_p, 1))
        n = plan.n_params
        self.P[n:n + len(plan.const_values), 0] = plan.const_values
        self.groups: list[_Bound] = []
        for grp in plan.groups:
            self.groups.append(grp.bind(self))


def _column_blocks(in_v: np.ndarray) -> list[tuple[int, int]]:
    """Maximal runs of argument positions whose inputs all live in V, all in P, or are mixed."""
    kinds = np.where(in_v.all(axis=1), 0, np.where(~in_v.any(axis=1), 1, 2))
    cuts = [0] + [i for i in range(1, len(kinds)) if kinds[i] != kinds[i - 1]] + [len(kinds)]
    return list(zip(cuts[:-1], cuts[1:]))


def _factor(k: int, operands: list[tuple[np.ndarray, np.ndarray]]) -> tuple[int, ...]:
    """A compute shape for a group of k nodes: (k,) or (r, c) if that makes more operands affine views."""
    def score(shape):
        total = 0
        for in_v, rows in operands:
            if in_v.all() or not in_v.any():
                total += (2 if in_v.all() else 1) * (_affine(rows.reshape(shape)) is not None)
        return total

    best, best_score = (k,), score((k,))
    candidates = set()
    for _, rows in operands:
        if k > 2:
            steps = np.diff(rows)
            breaks = np.flatnonzero(steps != steps[0])
            if len(breaks):
                candidates.add(int(breaks[0]) + 1)
    for c in sorted(candidates):
        if 1 < c < k and k % c == 0:
            sc = score((k // c, c))
            if sc > best_score:
                best, best_score = (k // c, c), sc
    return best


class Plan:
    """The grouped program: row layout of V and P, the ordered groups, and workspaces per batch size."""

    def __init__(self, flat: FlatGraph, groups: list[_Group], n_v: int, n_p: int,
                 out_in_v: np.ndarray, out_rows: np.ndarray) -> None:
        self.flat = flat
        self.groups = groups
        self.n_v, self.n_p = n_v, n_p
        self.out_in_v, self.out_rows = out_in_v, out_rows
        self.n_params = len(flat.params)
        self.const_values = np.asarray(flat.consts, dtype=np.float64)
        self.zero_rows = _plan_gradient_writes(self)
        _plan_own_storage(self)
        self._local = threading.local()

    def _workspace(self, B: int) -> _Workspace:
        cache = getattr(self._local, "cache", None)
        if cache is None:
            cache = self._local.cache = {}
        ws = cache.get(B)
        if ws is None:
            if len(cache) >= 3:
                del cache[next(iter(cache))]
            ws = cache[B] = _Workspace(self, B)
        return ws

    def run(self, X: np.ndarray, Y: np.ndarray | None, want_grad: bool, anomaly: bool = False
            ) -> tuple[np.ndarray, np.ndarray | None]:
        """Forward (and backward) on one chunk: ``X`` (batch, n_inputs), ``Y`` (batch, n_targets) or None.

        Returns the outputs (n_out, batch) and, with ``want_grad``, the parameter
        gradients of output 0 summed over the batch. Floating-point errors (overflow,
        division by zero, invalid results) raise EngineError naming the op and example;
        with ``anomaly`` every group's result is also checked to be finite.
        """
        B = X.shape[0]
        ws = self._workspace(B)
        V, P, GV, GP = ws.V, ws.P, ws.GV, ws.GP
        n_in = X.shape[1]
        V[:n_in] = X.T
        if Y is not None:
            V[n_in:n_in + Y.shape[1]] = Y.T
        P[:self.n_params, 0] = [p._data for p in self.flat.params]
        saved = []
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            for bg in ws.groups:
                try:
                    args = bg.forward()
                except FloatingPointError as e:
                    raise bg.forward_error(e) from None
                if anomaly:
                    bad = np.argwhere(~np.isfinite(bg.out))
                    if len(bad):
                        raise EngineError(bg.describe(bad[0], args, "detect_anomaly: ",
                                                      "result is not finite"))
                saved.append(args if (want_grad and bg.grp.any_need) else None)
            outs = np.empty((len(self.out_rows), B))
            for j, (v, r) in enumerate(zip(self.out_in_v, self.out_rows)):
                outs[j] = V[r] if v else P[r, 0]
            if not want_grad:
                return outs, None
            for bg in ws.groups:
                bg.g_alias = None
            for a, b in self.zero_rows:
                GV[a:b] = 0.0
            GP[...] = 0.0
            r = self.out_rows[0]
            if self.out_in_v[0]:
                GV[r] = 1.0
            else:
                GP[r] = float(B)
            for bg, args in zip(reversed(ws.groups), reversed(saved)):
                if args is None:
                    continue
                try:
                    bg.backward(args)
                except FloatingPointError:
                    with np.errstate(all="ignore"):
                        bg.backward(args, careful=True)
        grads = GP[:self.n_params, 0].copy()
        if anomaly and not np.isfinite(grads).all():
            j = int(np.argwhere(~np.isfinite(grads))[0, 0])
            raise EngineError(f"detect_anomaly: the gradient of params[{j}] is {grads[j]!r}")
        return outs, grads


def _plan_gradient_writes(plan: Plan) -> list[tuple[int, int]]:
    """Decide which gradient writes can assign instead of add, and which V rows need zeroing.

    Walking the backward pass in order, an operand whose gradient rows receive nothing
    before it can assign (no zero fill needed); rows first reached by an adding write
    are zeroed at every call (returned as (start, stop) ranges).
    """
    touched = np.zeros(plan.n_v, dtype=bool)
    zero = np.zeros(plan.n_v, dtype=bool)
    if plan.out_in_v[0]:
        touched[plan.out_rows[0]] = True
    for grp in reversed(plan.groups):
        if not grp.any_need:
            continue
        for need, acc in zip(grp.need, grp.operands):
            if not need:
                continue
            rows = acc.v_rows_written()
            if not len(rows):
                continue
            fresh = not touched[rows].any()
            can_assign = acc.kind == "mixed" or acc.view is None or acc.reduce_axes is not None
            acc.assign = fresh and can_assign
            if not acc.assign:
                zero[rows[~touched[rows]]] = True
            touched[rows] = True
    _plan_aliases(plan)
    idx = np.flatnonzero(zero)
    if not len(idx):
        return []
    cuts = np.flatnonzero(np.diff(idx) != 1) + 1
    return [(int(r[0]), int(r[-1]) + 1) for r in np.split(idx, cuts)]


def _plan_own_storage(plan: Plan, min_rows: int = 64) -> None:
    """Let big groups keep the array their forward returns instead of copying it into V.

    Allowed when every operand reading the group's rows reads only them, through a strided
    view (it then views the group's own array), and no program output is among them.
    """
    owner_of = np.full(plan.n_v, -1, dtype=np.int64)
    for i, grp in enumerate(plan.groups):
        if grp.in_v:
            owner_of[grp.start:grp.stop] = i
    ok = {i for i, grp in enumerate(plan.groups) if grp.in_v and grp.stop - grp.start >= min_rows}
    readers: dict[int, list[_Access]] = {}
    for grp in plan.groups:
        for acc in grp.operands:
            if acc.kind == "p":
                continue
            owners = np.unique(owner_of[acc.v_rows_written()])
            if acc.kind == "v" and acc.view is not None and len(owners) == 1 and owners[0] >= 0:
                readers.setdefault(int(owners[0]), []).append(acc)
            else:
                ok.difference_update(int(o) for o in owners)
    ok.difference_update(int(o) for o in owner_of[plan.out_rows[plan.out_in_v]])
    for i in ok:
        grp = plan.groups[i]
        grp.own = True
        for acc in readers.get(i, []):
            acc.src = (i, acc.view[0] - grp.start)


def _plan_aliases(plan: Plan) -> None:
    """Let a group's gradient BE the contribution of its only consumer when that covers it exactly.

    Typical case: the products w·a of a layer feed only the layer's sums, whose local
    derivative is the constant 1; their gradient is then the sums' gradient broadcast,
    never written out as an array.
    """
    writes = np.zeros(plan.n_v, dtype=np.int64)
    if plan.out_in_v[0]:
        writes[plan.out_rows[0]] += 1
    accesses = [acc for grp in plan.groups if grp.any_need
                for need, acc in zip(grp.need, grp.operands) if need]
    for acc in accesses:
        writes[acc.v_rows_written()] += 1
    owner_at = {grp.start: i for i, grp in enumerate(plan.groups) if grp.in_v}
    for acc in accesses:
        if not (acc.assign and acc.kind == "v" and acc.view is not None and acc.reduce_axes == ()):
            continue
        start, strides = acc.view
        gi = owner_at.get(start)
        if gi is None:
            continue
        owner = plan.groups[gi]
        if (not owner.any_need or int(np.prod(acc.shape)) != owner.stop - owner.start
                or (writes[owner.start:owner.stop] != 1).any()):
            continue
        nd = len(acc.shape)
        order = sorted(range(nd), key=lambda a: -strides[a])
        expect, ok = 1, True
        for a in reversed(order):
            if acc.shape[a] == 1:
                continue
            ok = ok and strides[a] == expect
            expect *= acc.shape[a]
        if ok:
            acc.alias = (gi, tuple(order) + (nd,))


# ------------------------------------------------------------------ building
def _fold_add_chains(flat: FlatGraph) -> FlatGraph:
    """Left-nested chains of ``+`` become one n-ary sum node (Python's ``sum()``, ``+=`` loops).

    ``((a + b) + c) + d`` is a chain of depth 3: replayed as is, it would be three numpy
    steps of one node each per term. An add whose left input is an add or a sum used by
    nothing else (and not an output) joins that node's inputs: sum(a, b, c, d). The value
    is the same sum in the same order; the gradient is the same (every ∂ is 1 in both).
    """
    add, sum_ = PRIMITIVES["add"], PRIMITIVES["sum"]
    first = flat.first_node
    n = len(flat.nodes)
    uses = np.zeros(first + n, dtype=np.int64)
    for _, args in flat.nodes:
        for a in args:
            uses[a] += 1
    for o in flat.outputs:
        uses[o] += 2
    prims = [prim for prim, _ in flat.nodes]
    argss = [args for _, args in flat.nodes]
    dead = np.zeros(n, dtype=bool)
    for k in range(n):
        if prims[k] is not add:
            continue
        a, b = argss[k]
        if a >= first and uses[a] == 1 and prims[a - first] in (add, sum_):
            prims[k], argss[k] = sum_, (*argss[a - first], b)
            dead[a - first] = True
    if not dead.any():
        return flat
    new_slot = np.arange(first + n)
    alive = np.flatnonzero(~dead)
    new_slot[first + alive] = first + np.arange(len(alive))
    nodes = [(prims[k], tuple(int(new_slot[a]) for a in argss[k])) for k in alive]
    outputs = [int(new_slot[o]) for o in flat.outputs]
    return FlatGraph(flat.n_inputs, flat.n_targets, flat.params, flat.consts, nodes, outputs, flat.single)


def build_plan(flat: FlatGraph) -> Plan:
    """Lay out rows and group the nodes of ``flat`` (see the module docstring)."""
    flat = _fold_add_chains(flat)
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
            if prim.name == "sum":
                blocks = _column_blocks(in_v[ref])
                operands = [_Access(in_v[ref[a:b]], row[ref[a:b]]) for a, b in blocks]
                need = tuple(bool(needs[ref[a:b]].any()) for a, b in blocks)
                groups.append(_SumGroup(prim, v, start, (len(ks),), operands, need, ks))
                continue
            operands = [_Access(in_v[ref], row[ref])]
            need = (key[4][0],)
            shape = (len(ks),)
        else:
            cols = [(in_v[args[:, i]], row[args[:, i]]) for i in range(args.shape[1])]
            shape = _factor(len(ks), cols)
            operands = [_Access(iv.reshape(shape), r.reshape(shape)) for iv, r in cols]
            need = key[4]
        groups.append(_Group(prim, v, start, shape, operands, need, ks))
    outs = np.asarray(flat.outputs, dtype=np.int64)
    return Plan(flat, groups, next_v, next_p, in_v[outs], row[outs])
