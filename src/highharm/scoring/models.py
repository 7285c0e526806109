"""Dated snapshots of the identification scores (`highharm identify --store`).

A ScoreRun is one scoring of the force's records as of a date, with the
configuration that produced it; a PerpetratorScore is one person's row in it.
Both are written once and never changed: they are the record of what the
unit was shown, so they carry no change history (a run is replaced by a newer
run, not edited). Deleting a person deletes their rows with them.
"""

from django.conf import settings
from django.db import models

from highharm.people.models import Person


class ScoreRun(models.Model):
    as_of = models.DateField(db_index=True)
    window_days = models.PositiveIntegerField()
    config_version = models.CharField(max_length=100)
    config_sha256 = models.CharField(max_length=64)
    config_text = models.TextField(help_text="The whole configuration used, to reproduce the run")
    source = models.CharField(max_length=300, default="database")
    incidents_scored = models.PositiveBigIntegerField(default=0)
    perpetrators_scored = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_label = models.CharField(max_length=150, blank=True)
    duration_s = models.FloatField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Scores as of {self.as_of:%d/%m/%Y} ({self.config_version})"


class PerpetratorScore(models.Model):
    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="scores")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="scores")
    rank = models.PositiveIntegerField()
    priority_score = models.IntegerField()
    recency_days = models.PositiveIntegerField()
    last_incident_on = models.DateField()
    first_incident_on = models.DateField()
    frequency = models.PositiveIntegerField()
    harm_sum = models.FloatField()
    harm_max = models.FloatField()
    harm_unknown = models.PositiveIntegerField(default=0)
    victims = models.PositiveIntegerField()
    partner_victims = models.PositiveIntegerField(default=0)
    harm_recent = models.FloatField(default=0)
    harm_prior = models.FloatField(default=0)
    gap_slope = models.FloatField(null=True, blank=True)
    escalation = models.CharField(max_length=60, blank=True)
    flags = models.CharField(max_length=120, blank=True)
    flag_stalking = models.BooleanField(default=False)
    flag_sexual = models.BooleanField(default=False)
    flag_strangulation = models.BooleanField(default=False)
    flag_weapon = models.BooleanField(default=False)
    flag_breach = models.BooleanField(default=False)
    flag_coercive_control = models.BooleanField(default=False)
    flag_domestic = models.BooleanField(default=False)
    points = models.JSONField(default=dict, help_text="Points of each component")
    explanation = models.TextField()

    class Meta:
        # People equal on score, harm and recency share a rank; a run is stored in list
        # order (rank, then reference), so the id keeps that order within a shared rank.
        ordering = ["run", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "person"], name="one_score_per_person_per_run"),
        ]
        indexes = [
            models.Index(fields=["run", "rank", "id"], name="scoring_score_run_rank"),
            models.Index(fields=["run", "priority_score"]),
            models.Index(fields=["person", "run"]),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} #{self.rank} ({self.priority_score})"

    @property
    def flag_list(self) -> list[str]:
        return [f for f in self.flags.split("|") if f]
