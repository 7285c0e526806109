"""The force is made block by block: files equal the in-memory frames, and a larger
force starts with exactly the people and incidents of a smaller one."""

import datetime as dt

from highharm.synthetic import generator
from highharm.synthetic.generator import generate, generate_frames

END = dt.date(2025, 1, 31)


def test_it_writes_the_same_rows_as_the_in_memory_frames(tmp_path, monkeypatch):
    monkeypatch.setattr(generator, "BLOCK_SIZE", 150)  # several blocks, several headers avoided
    persons_path, incidents_path, stats = generate(400, 2, 9, tmp_path, END)
    persons, incidents, cohort = generate_frames(400, 2, 9, END)
    assert cohort is None
    assert persons_path.read_text(encoding="utf-8") == persons.write_csv()
    assert incidents_path.read_text(encoding="utf-8") == incidents.write_csv()
    assert stats.incidents == incidents.height
    assert stats.persons == persons.height
    assert stats.perpetrators == 400


def test_it_starts_a_larger_force_with_the_smaller_one(monkeypatch):
    monkeypatch.setattr(generator, "BLOCK_SIZE", 100)
    small_persons, small_incidents, _ = generate_frames(100, 2, 4, END)
    big_persons, big_incidents, _ = generate_frames(250, 2, 4, END)
    assert big_persons.head(small_persons.height).equals(small_persons)
    assert big_incidents.head(small_incidents.height).equals(small_incidents)
    assert big_incidents["perpetrator_ref"].n_unique() == 250


def test_it_shows_progress_on_stderr_only_when_asked(tmp_path, capsys):
    generate(50, 1, 1, tmp_path / "quiet", END)
    assert capsys.readouterr().err == ""
    generate(50, 1, 1, tmp_path / "loud", END, progress=True)
    captured = capsys.readouterr()
    assert "perpetrator" in captured.err
    assert captured.out == ""
