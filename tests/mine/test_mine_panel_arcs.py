"""Panel arcs are transitively reduced (reeflow.mine.panels.transitive_reduction): cross-check
against networkx's transitive reduction (an independent code) on random DAGs; a graph with a
cycle comes back as it is."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np

from reeflow.mine.panels import transitive_reduction


def test_the_reduction_is_networkx_s_on_random_dags():
    rng = random.Random(1)
    for _ in range(100):
        n = rng.randint(2, 40)
        arcs = set()
        for _ in range(rng.randint(1, 120)):
            a, b = sorted(rng.sample(range(n), 2))
            arcs.add((b, a))  # b needs a, a < b: acyclic
        src = np.array([a[0] for a in arcs])
        dst = np.array([a[1] for a in arcs])
        s, d = transitive_reduction(src, dst, n)
        g = nx.DiGraph(list(arcs))
        g.add_nodes_from(range(n))
        assert set(zip(s.tolist(), d.tolist(), strict=True)) == set(
            nx.transitive_reduction(g).edges())


def test_a_cycle_is_returned_as_it_is():
    s, d = transitive_reduction(np.array([0, 1, 2]), np.array([1, 2, 0]), 3)
    assert s.tolist() == [0, 1, 2] and d.tolist() == [1, 2, 0]
