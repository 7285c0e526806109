"""Same arguments give byte-identical files; another seed gives another force."""

import datetime as dt

from highharm.synthetic.generator import generate

END = dt.date(2024, 12, 31)


def _bytes(tmp_path, name, seed, perpetrators=400):
    persons, incidents, _ = generate(perpetrators, 2, seed, tmp_path / name, END)
    return persons.read_bytes(), incidents.read_bytes()


def test_it_writes_the_same_bytes_for_the_same_arguments(tmp_path):
    assert _bytes(tmp_path, "a", 5) == _bytes(tmp_path, "b", 5)


def test_it_writes_a_different_force_for_another_seed(tmp_path):
    persons_a, incidents_a = _bytes(tmp_path, "a", 5)
    persons_b, incidents_b = _bytes(tmp_path, "b", 6)
    assert persons_a != persons_b
    assert incidents_a != incidents_b


def test_it_writes_a_different_force_for_another_end_date(tmp_path):
    a = generate(200, 2, 5, tmp_path / "a", END)[1].read_bytes()
    b = generate(200, 2, 5, tmp_path / "b", END - dt.timedelta(days=1))[1].read_bytes()
    assert a != b
