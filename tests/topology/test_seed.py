"""The seed's HA diagram must be reproducible from the rendered profiles (SPEC §4)."""

from __future__ import annotations

from pyhalyard.render.topology import SPLIT, to_mermaid, topology_for
from tests.helpers import shared
from tests.topology.conftest import MakeHal, plan_of
from tests.topology.mermaid import parse, seed_chart

SEED = "seed/high-availability.md"


def test_seed_diagram_parses_to_its_edge_list() -> None:
    chart = seed_chart(shared(SEED))
    assert chart.unparsed == []
    assert len(chart.edges) == 19
    assert ("igor", "echo-worker") in chart.edges  # echo-slave read as echo-worker
    assert ("deck", "gate") in chart.edges


def test_seed_edges_are_a_subset_of_the_full_ha_picture(make_hal: MakeHal) -> None:
    # Both splits, disableClouddriverRoDeck absent, fiat and kayenta (and igor) on.
    graph = topology_for(plan_of(make_hal(clouddriver_ha=True, echo_ha=True)))
    seed = seed_chart(shared(SEED))

    missing = seed.edges - graph.pairs()
    assert missing == set(), f"seed edges not drawn: {sorted(missing)}"
    assert seed.nodes <= {n.id for n in graph.nodes}
    # The seed's highlighted split roles are highlighted here too, and nothing else is.
    drawn_split = {n.id for n in graph.nodes if n.kind == SPLIT}
    assert drawn_split == seed.classes["split"]
    assert "clouddriver-ro-deck" not in {n.id for n in graph.nodes}


def test_the_mermaid_text_says_what_the_graph_says(make_hal: MakeHal) -> None:
    graph = topology_for(plan_of(make_hal(clouddriver_ha=True, echo_ha=True, endpoints=True)))
    chart = parse(to_mermaid(graph))
    assert chart.unparsed == []
    assert chart.edges == graph.pairs()
    assert chart.nodes == {n.id for n in graph.nodes}
    assert chart.classes["split"] == {"clouddriver-caching", "clouddriver-ro", "clouddriver-rw",
                                      "echo-scheduler", "echo-worker"}
    # and the seed's subset holds on the text as well
    assert seed_chart(shared(SEED)).edges <= chart.edges
