"""Ethnicity is drawn from its own random stream: changing it changes nothing else."""

import datetime as dt

import numpy as np

from highharm.synthetic import model
from highharm.synthetic.generator import generate_frames

END = dt.date(2025, 3, 31)


def test_it_leaves_every_incident_unchanged_when_the_ethnic_mix_changes(monkeypatch):
    persons_a, incidents_a, _ = generate_frames(600, 2, 21, END)
    monkeypatch.setattr(model, "ETHNIC_SHARES", np.array([0.0, 0.0, 0.0, 0.0, 1.0]))
    persons_b, incidents_b, _ = generate_frames(600, 2, 21, END)
    assert incidents_a.equals(incidents_b)
    assert persons_a.drop("ethnicity").equals(persons_b.drop("ethnicity"))
    assert set(persons_b["ethnicity"].drop_nulls()) == {"Other"}
