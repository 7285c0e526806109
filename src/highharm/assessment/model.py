"""An optional fitted model: logistic regression on the identification engine's measures.

Pure computation (scikit-learn, Polars, numpy; no Django). It calibrates the
data-driven part of the risk tool to a force's own history: fitted on the
measures of every perpetrator as of a past date, against whether they went on
to cause harm above a chosen level. It is cross-validated (the probabilities
reported for each person come from a model that never saw that person) and
its coefficients are stated in plain words.

Only the columns in ALLOWED_FEATURES ever reach the model: behaviour recorded
in the force's own incidents, nothing about who the person is. ``check_columns``
refuses a frame carrying any other column, naming a protected characteristic
or proxy (ethnicity, religion, postcode, gender, age, nationality, disability,
…) as such, and tests/assessment/test_model_features.py fails if the list
ever grows to include one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl

ALLOWED_FEATURES: tuple[str, ...] = (
    "recency_days",
    "frequency",
    "harm_sum",
    "harm_max",
    "victims",
    "partner_victims",
    "incidents_recent",
    "harm_recent",
    "serial",
    "escalating_harm",
    "gaps_shortening",
    "flag_stalking",
    "flag_strangulation",
    "flag_breach",
    "flag_sexual",
    "flag_weapon",
    "flag_coercive_control",
)
"""The only inputs the model may use (all outputs of highharm.scoring.engine)."""

PROTECTED_OR_PROXY = frozenset(
    {
        "ethnicity",
        "ethnic_group",
        "ethnic_origin",
        "race",
        "religion",
        "belief",
        "gender",
        "sex",
        "sexual_orientation",
        "gender_reassignment",
        "age",
        "age_band",
        "date_of_birth",
        "dob",
        "birth_date",
        "year_of_birth",
        "nationality",
        "immigration_status",
        "country_of_birth",
        "disability",
        "marital_status",
        "pregnancy",
        "postcode",
        "post_code",
        "address",
        "home_address",
        "lsoa",
        "msoa",
        "ward",
        "neighbourhood",
        "beat",
        "imd",
        "deprivation",
        "acorn",
        "mosaic",
        "name",
        "given_name",
        "family_name",
        "language",
    }
)
"""Protected characteristics (Equality Act 2010, s.4) and known proxies for them (places,
area deprivation, names, language): never a model input, whatever ALLOWED_FEATURES says."""


@dataclass(frozen=True)
class Feature:
    name: str
    transform: str  # "identity" | "log2p1" | "flag"
    step: float  # the change the plain-words sentence is about, in the transformed units
    phrase: str  # "each extra victim in the two years"


FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature("recency_days", "identity", 30, "each extra 30 days since the last incident"),
        Feature("frequency", "identity", 1, "each extra incident in the two years"),
        Feature("harm_sum", "log2p1", 1, "each doubling of the harm in the two years"),
        Feature("harm_max", "log2p1", 1, "each doubling of the harm of the worst incident"),
        Feature("victims", "identity", 1, "each extra victim in the two years"),
        Feature("partner_victims", "identity", 1, "each extra partner or ex-partner victim"),
        Feature("incidents_recent", "identity", 1, "each extra incident in the last year"),
        Feature("harm_recent", "log2p1", 1, "each doubling of the harm in the last year"),
        Feature("serial", "flag", 1, "victims in separate intimate relationships (serial)"),
        Feature("escalating_harm", "flag", 1, "harm rising year on year"),
        Feature("gaps_shortening", "flag", 1, "incidents coming closer together"),
        Feature("flag_stalking", "flag", 1, "stalking or harassment in the records"),
        Feature("flag_strangulation", "flag", 1, "strangulation in the records"),
        Feature("flag_breach", "flag", 1, "a breach of an order in the records"),
        Feature("flag_sexual", "flag", 1, "a sexual offence in the records"),
        Feature("flag_weapon", "flag", 1, "a weapon in the records"),
        Feature("flag_coercive_control", "flag", 1, "coercive control in the records"),
    )
}

DEFAULT_FOLDS = 5
DEFAULT_SEED = 20250605


class ModelInputError(ValueError):
    """The data cannot be given to the model; the message says why."""


def check_columns(columns) -> None:
    """Refuse any column that is not an allowed feature; name protected ones as such."""
    names = [str(c) for c in columns]
    protected = sorted(c for c in names if c.strip().lower() in PROTECTED_OR_PROXY)
    if protected:
        raise ModelInputError(
            "refused: "
            + ", ".join(protected)
            + " is a protected characteristic or a proxy for one and is never a model input"
        )
    extra = sorted(set(names) - set(ALLOWED_FEATURES))
    if extra:
        raise ModelInputError(
            "refused: the model takes only "
            + ", ".join(ALLOWED_FEATURES)
            + "; remove "
            + ", ".join(extra)
        )
    if not names:
        raise ModelInputError("no features given")


def design(frame: pl.DataFrame) -> pl.DataFrame:
    """The model's inputs: each allowed feature, transformed (harm in log2(1 + days))."""
    check_columns(frame.columns)
    expressions = []
    for name in frame.columns:
        feature = FEATURES[name]
        column = pl.col(name)
        if feature.transform == "flag":
            expressions.append(column.fill_null(False).cast(pl.Float64).alias(name))
        elif feature.transform == "log2p1":
            expressions.append((column.cast(pl.Float64).fill_null(0) + 1).log(2).alias(name))
        else:
            expressions.append(column.cast(pl.Float64).fill_null(0).alias(name))
    return frame.select(expressions)


@dataclass
class Coefficient:
    feature: str
    phrase: str
    odds_ratio: float  # for the feature's step
    coefficient: float  # per transformed unit, on the original scale
    text: str


@dataclass
class FittedModel:
    features: list[str]
    n: int
    positives: int
    folds: int
    seed: int
    cv_probability: np.ndarray  # out-of-fold P(outcome) per row, in input order
    intercept: float
    coefficients: list[Coefficient]
    pipeline: object = field(repr=False)
    fold_aucs: list[float] = field(default_factory=list)

    def predict(self, frame: pl.DataFrame) -> np.ndarray:
        """P(outcome) from the model fitted on all the data (for new people). A frame carrying
        any column that is not an allowed feature is refused, never silently narrowed."""
        check_columns(frame.columns)
        missing = [f for f in self.features if f not in frame.columns]
        if missing:
            raise ModelInputError("missing feature(s): " + ", ".join(missing))
        x = design(frame.select(self.features))
        return self.pipeline.predict_proba(x)[:, 1]

    def describe(self) -> dict:
        return {
            "model": "logistic regression (scikit-learn, L2, C=1, features standardised)",
            "features": self.features,
            "n": self.n,
            "positives": self.positives,
            "folds": self.folds,
            "seed": self.seed,
            "fold_aucs": self.fold_aucs,
            "intercept": self.intercept,
            "coefficients": [c.__dict__ for c in self.coefficients],
        }


def fit(
    frame: pl.DataFrame,
    outcome,
    *,
    folds: int = DEFAULT_FOLDS,
    seed: int = DEFAULT_SEED,
) -> FittedModel:
    """Fit the model, with out-of-fold probabilities from stratified k-fold cross-validation.

    frame: one row per person, only ALLOWED_FEATURES columns (anything else is refused).
    outcome: 0/1 per row.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x = design(frame)
    y = np.asarray(outcome).astype(int)
    if y.shape != (x.height,):
        raise ModelInputError("outcome must have one value per row")
    if not np.isin(y, (0, 1)).all():
        raise ModelInputError("outcome must be 0 or 1")
    positives = int(y.sum())
    negatives = int(y.size - positives)
    if min(positives, negatives) < folds:
        raise ModelInputError(
            f"too few people with each outcome to cross-validate in {folds} folds "
            f"({positives} with outcome 1, {negatives} with 0)"
        )

    def model():
        return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))

    oof = np.empty(y.size, dtype=np.float64)
    fold_aucs = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    xn = x.to_numpy()
    for train, test in splitter.split(xn, y):
        fitted = model().fit(x[train], y[train])
        oof[test] = fitted.predict_proba(x[test])[:, 1]
        fold_aucs.append(float(roc_auc_score(y[test], oof[test])))
    pipeline = model().fit(x, y)
    scaler, logistic = pipeline[0], pipeline[-1]
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    raw = logistic.coef_[0] / scale
    intercept = float(logistic.intercept_[0] - np.sum(raw * scaler.mean_))
    coefficients = [
        _coefficient(FEATURES[name], float(beta)) for name, beta in zip(x.columns, raw, strict=True)
    ]
    return FittedModel(
        features=list(x.columns),
        n=int(y.size),
        positives=positives,
        folds=folds,
        seed=seed,
        cv_probability=oof,
        intercept=intercept,
        coefficients=coefficients,
        pipeline=pipeline,
        fold_aucs=fold_aucs,
    )


def _coefficient(feature: Feature, beta: float) -> Coefficient:
    ratio = math.exp(beta * feature.step)
    subject = feature.phrase[0].upper() + feature.phrase[1:]
    text = f"{subject} multiplies the odds by {ratio:.2f}"
    if feature.transform == "flag":
        text += " (compared with people without it)"
    if ratio < 1:
        text += ", that is, lowers them"
    return Coefficient(feature.name, feature.phrase, ratio, beta, text)
