"""Recording modes: no_grad / enable_grad (context manager, decorator, sync and async), their
isolation across threads and asyncio tasks, scope tags, and detect_anomaly."""

from __future__ import annotations

import asyncio
import threading

import pytest

from autograd_lite import Value, detect_anomaly, enable_grad, grad, is_grad_enabled, no_grad, scope
from autograd_lite.modes import current_scope, is_anomaly_enabled


def _recorded(v: Value) -> bool:
    return not v.is_leaf() and v.op != "" and len(v.parents) > 0


# ------------------------------------------------------------ no_grad
def test_no_grad_context_records_nothing():
    x = Value(2.0, label="x")
    with no_grad():
        assert not is_grad_enabled()
        y = (x * 3.0).tanh() + x
        s = Value.sum([x, x * x, 1.0])
    assert is_grad_enabled()
    for v in (y, s):
        assert v.is_leaf() and v.op == "" and v.parents == () and v.primitive is None
    assert s.data == 7.0
    y.backward()
    assert x.grad == 0.0 and y.grad == 1.0
    z = x * 3.0
    assert _recorded(z) and z.parents == (x, 3.0)


def test_no_grad_values_are_correct():
    x = Value(0.4)
    with no_grad():
        y = (x * x).sin()
    assert y.data == (x * x).sin().data


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(ZeroDivisionError), no_grad():
        assert not is_grad_enabled()
        raise ZeroDivisionError("boom")
    assert is_grad_enabled()
    assert _recorded(Value(1.0) * 2.0)


def test_no_grad_still_raises_on_bad_ops():
    with no_grad(), pytest.raises(ArithmeticError, match=r"log\(Value\(-1.0\)\)"):
        Value(-1.0).log()


def test_enable_grad_inside_no_grad_and_nesting():
    x = Value(1.5)
    with no_grad():
        with enable_grad():
            assert is_grad_enabled()
            a = x * 2.0
            with no_grad():
                b = x * 2.0
            c = x * 2.0
        d = x * 2.0
    assert _recorded(a) and not _recorded(b) and _recorded(c) and not _recorded(d)


def test_same_no_grad_instance_can_be_reentered():
    ng = no_grad()
    with ng:
        with ng:
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_no_grad_as_a_decorator():
    x = Value(0.7)

    @no_grad()
    def step(v: Value) -> Value:
        """Docstring kept."""
        assert not is_grad_enabled()
        return v * 2.0 + 1.0

    y = step(x)
    assert y.is_leaf() and y.data == 2.4
    assert step.__name__ == "step" and step.__doc__ == "Docstring kept."
    assert is_grad_enabled() and _recorded(x * 2.0)


def test_no_grad_decorator_restores_after_an_exception():
    @no_grad()
    def bad():
        raise KeyError("k")

    with pytest.raises(KeyError):
        bad()
    assert is_grad_enabled()


def test_no_grad_as_a_decorator_of_a_coroutine():
    x = Value(0.7)

    @no_grad()
    async def step(v: Value) -> Value:
        await asyncio.sleep(0)
        assert not is_grad_enabled()
        out = v * 2.0
        await asyncio.sleep(0)
        return out + 1.0

    assert asyncio.iscoroutinefunction(step)

    async def main():
        recorded = []

        async def other():
            # Runs while step() is suspended inside no_grad: must still record.
            await asyncio.sleep(0)
            assert is_grad_enabled()
            recorded.append(x * 5.0)

        y, _ = await asyncio.gather(step(x), other())
        return y, recorded[0]

    y, z = asyncio.run(main())
    assert y.is_leaf() and y.data == 2.4
    assert _recorded(z)
    assert is_grad_enabled()


def test_no_grad_is_isolated_across_threads():
    x = Value(1.25)
    inside = threading.Barrier(2, timeout=10)
    done = threading.Barrier(2, timeout=10)
    results: dict[str, object] = {}
    errors: list[BaseException] = []

    def quiet():
        try:
            with no_grad():
                inside.wait()                    # the other thread records while we are in no_grad
                results["quiet"] = x * 2.0
                done.wait()
        except BaseException as e:               # pragma: no cover - reported below
            errors.append(e)

    def loud():
        try:
            inside.wait()
            results["loud_enabled"] = is_grad_enabled()
            results["loud"] = x * 2.0
            done.wait()
        except BaseException as e:               # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=quiet), threading.Thread(target=loud)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert not errors
    assert results["loud_enabled"] is True
    assert _recorded(results["loud"]) and results["loud"].parents == (x, 2.0)
    assert results["quiet"].is_leaf() and results["quiet"].data == 2.5
    assert is_grad_enabled()


def test_a_decorated_function_used_by_many_threads_at_once():
    x = Value(0.5)
    start = threading.Barrier(4, timeout=10)

    @no_grad()
    def f(k: int) -> Value:
        start.wait()
        return x * float(k)

    out: dict[int, Value] = {}
    recorded: list[Value] = []

    def worker(k):
        out[k] = f(k)
        recorded.append(x * float(k))           # after f returns, this thread records again

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert sorted(out) == [0, 1, 2, 3]
    assert all(v.is_leaf() and v.data == 0.5 * k for k, v in out.items())
    assert len(recorded) == 4 and all(_recorded(v) for v in recorded)


def test_no_grad_is_isolated_across_asyncio_tasks():
    x = Value(3.0)

    async def quiet():
        with no_grad():
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            return x * 2.0, is_grad_enabled()

    async def loud():
        await asyncio.sleep(0)
        v = x * 2.0
        await asyncio.sleep(0)
        return v, is_grad_enabled()

    async def main():
        return await asyncio.gather(quiet(), loud(), loud())

    (q, q_on), (a, a_on), (b, b_on) = asyncio.run(main())
    assert q.is_leaf() and not q_on
    assert _recorded(a) and _recorded(b) and a_on and b_on


def test_grad_still_works_after_no_grad_on_the_same_graph():
    x = Value(0.3)
    y = x.exp()
    with no_grad():
        (g,) = grad(y, [x])          # the graph was recorded before: grad can still walk it
    assert g == y.data


# ------------------------------------------------------------ scope
def test_scope_tags_nodes_with_nested_dotted_names():
    x = Value(1.0)
    assert current_scope() is None
    with scope("mlp"):
        a = x * 2.0
        with scope("layer1"), scope("neuron3"):
            assert current_scope() == "mlp.layer1.neuron3"
            w = Value(0.5, label="w")
            z = Value.sum([w * x, 1.0])
            h = z.tanh()
        b = a + 1.0
    c = a * 3.0
    assert a.scope == "mlp" and b.scope == "mlp"
    assert z.scope == h.scope == w.scope == "mlp.layer1.neuron3"
    assert z.parents[0].scope == "mlp.layer1.neuron3"
    assert c.scope is None and x.scope is None
    assert current_scope() is None


def test_scope_as_a_decorator_and_under_no_grad():
    @scope("head")
    def head(v):
        return v * 2.0

    y = head(Value(1.0))
    assert y.scope == "head"
    with no_grad(), scope("frozen"):
        z = Value(1.0) * 2.0
    assert z.scope == "frozen" and z.is_leaf()


def test_scope_is_isolated_across_threads():
    seen: dict[str, str | None] = {}
    barrier = threading.Barrier(2, timeout=10)

    def work(name):
        with scope(name):
            barrier.wait()
            seen[name] = (Value(1.0) * 2.0).scope

    threads = [threading.Thread(target=work, args=(n,)) for n in ("left", "right")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert seen == {"left": "left", "right": "right"}


@pytest.mark.parametrize("bad", ["", None, 3])
def test_scope_rejects_bad_names(bad):
    with pytest.raises(ValueError, match="scope name must be a non-empty string"):
        scope(bad)


# ------------------------------------------------------------ detect_anomaly
def test_detect_anomaly_is_a_context_and_a_decorator():
    assert not is_anomaly_enabled()
    with detect_anomaly():
        assert is_anomaly_enabled()
    assert not is_anomaly_enabled()

    @detect_anomaly()
    def f():
        return is_anomaly_enabled()

    assert f() is True and not is_anomaly_enabled()


def test_detect_anomaly_does_not_change_results():
    x = Value(0.9, label="x")
    y = (x * x).sigmoid()
    y.backward()
    plain = (y.data, x.grad)
    x2 = Value(0.9, label="x")
    with detect_anomaly():
        y2 = (x2 * x2).sigmoid()
        y2.backward()
    assert (y2.data, x2.grad) == plain
